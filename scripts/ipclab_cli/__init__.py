"""ipclab's command-line front end: build, run experiments in QEMU, report."""
