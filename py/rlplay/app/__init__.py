"""The top of the package: the bridge the browser's worker calls (``bridge``) and the assembled snapshot contract
(``contract``), both reading ``rlplay.demos.DEMOS``; the CLI (``rlplay.__main__``) sits on them."""
