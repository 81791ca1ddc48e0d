"""What every demo is built on, beneath all of them: the driver base (``driver``), the contract's form
(``contract``), the edited-code runner (``user_code``) and the shell-safe reproduce values (``reproduce``)."""
