"""Where things are: the source tree, the build tree, the results."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("IPCLAB_BUILD_DIR", os.path.join(ROOT, "build"))
# Where 'run', 'bench', 'report' and 'reproduce' read and write results; IPCLAB_RESULTS_DIR
# points them at another folder (a trial run that must not touch the committed results/).
RESULTS = os.path.abspath(os.environ.get("IPCLAB_RESULTS_DIR", os.path.join(ROOT, "results")))
EXPERIMENTS = os.path.join(ROOT, "experiments")


def kernel_image(build=None):
    return os.path.join(build or BUILD, "kernel.bin")


def user_dir(build=None):
    return os.path.join(build or BUILD, "user")


def log_dir(build=None):
    return os.path.join(build or BUILD, "logs")
