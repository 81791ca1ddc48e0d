"""The jobs of build.py, one module each, readable alone: fetch (the vendored runtime), site (dist/), serve,
machine (what the tests need installed), lanes (the checks and the test lanes), bench (the benchmark and cards);
common holds the paths and pins they share. build.py is the one entry point."""
