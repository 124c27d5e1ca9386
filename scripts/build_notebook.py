"""Build a notebook from a percent-format script and execute it in place.

``python scripts/build_notebook.py SRC.py [OUT.ipynb]`` splits ``SRC.py`` at ``# %%`` lines
(``# %% [markdown]`` cells hold markdown with each line's leading ``# `` removed), runs the
notebook top to bottom with the repository importable and one BLAS thread (as
tests/test_notebooks.py does), saves it with its outputs and prints how long it took.
``python scripts/build_notebook.py --to-script NB.ipynb`` writes the cells back as a script.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def script_to_cells(text):
    """``[(kind, source)]`` from a percent-format script."""
    cells, kind, lines = [], None, []

    def flush():
        if kind is not None:
            src = "\n".join(lines).strip("\n")
            if kind == "markdown":
                src = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in src.splitlines())
            cells.append((kind, src))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def cells_to_script(nb):
    out = []
    for c in nb.cells:
        if c.cell_type == "markdown":
            body = "\n".join("# " + ln if ln else "#" for ln in c.source.splitlines())
            out.append("# %% [markdown]\n" + body)
        else:
            out.append("# %%\n" + c.source)
    return "\n\n".join(out) + "\n"


def build(src, dst, timeout=600):
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for kind, source in script_to_cells(Path(src).read_text()):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    start = time.perf_counter()
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(Path(dst).parent)}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, dst)
        print(f"{dst}: {time.perf_counter() - start:.1f} s")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--to-script":
        import nbformat
        nb = nbformat.read(argv[1], as_version=4)
        sys.stdout.write(cells_to_script(nb))
        return
    src = Path(argv[0])
    dst = Path(argv[1]) if len(argv) > 1 else ROOT / "notebooks" / (src.stem + ".ipynb")
    build(src, dst)


if __name__ == "__main__":
    main()
