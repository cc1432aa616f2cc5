"""The evolution explorer: ``explore(evo)`` after any ``Evolution`` run. Pick a candidate (from the list, by
generation, "best", "worst", "crashed", or a parent or child one click away) and see how it was made, its diff
against its parent(s), its score breakdown beside the parent's, its error and repair, its prompt, the model's
raw reply and what it cost. Built from ipywidgets that 7.7 (Colab) and 8 share, and matplotlib: no server.
Under the widget it leaves a static view of the winner's path from its seed, which GitHub and nbconvert show."""

import io

from ..plotting import ensure_axes
from .explore_view import describe, html_view, label, path_html, path_text, pick, quick_pick
from .plots import plot_lineage

ALL = "all"   # the generation filter's "every generation" (a Dropdown shows a None value as a blank)


class Explorer:
    """The explorer's state (which candidate, which filters) and its widget. ``select(id)`` and ``view`` work
    without any widget frontend, so tests and scripts read the same state the widget shows."""

    def __init__(self, evo, ax=None):
        if not evo.candidates:
            raise ValueError("This Evolution has no candidates yet: run it first (evo.run(...)), then explore it.")
        self.evo, self.ax = evo, ax
        self.improved = self.crashed = False
        self.generation = None
        self.selected = quick_pick(evo, "best").id if any(c.fitness for c in evo.candidates.values()) \
            else min(evo.candidates)
        self._ui = None

    @property
    def view(self):
        return describe(self.evo, self.selected)

    def shown(self) -> list:
        """The candidates the filters let through."""
        return pick(self.evo, improved=self.improved, crashed=self.crashed, generation=self.generation)

    def select(self, cid) -> None:
        if cid not in self.evo.candidates:
            raise KeyError(f"no candidate #{cid}: ids run from 0 to {max(self.evo.candidates)}")
        if cid not in {c.id for c in self.shown()}:   # a click outside the filters clears them
            self.improved = self.crashed = False
            self.generation = None
        self.selected = cid
        self._refresh()

    # -- the widget ---------------------------------------------------------------------------------
    def widget(self):
        import ipywidgets as w
        gens = sorted({c.generation for c in self.evo.candidates.values()})
        ui = self._ui = {
            "generation": w.Dropdown(options=[("all", ALL)] + [(str(g), g) for g in gens], value=ALL,
                                     description="generation", layout=w.Layout(width="200px")),
            "improved": w.Checkbox(value=False, description="only improvements", indent=False,
                                   layout=w.Layout(width="auto", margin="0 12px")),
            "crashed": w.Checkbox(value=False, description="only crashes", indent=False,
                                  layout=w.Layout(width="auto")),
            "candidate": w.Dropdown(description="candidate", layout=w.Layout(width="460px")),
            "nav": w.HBox(layout=w.Layout(flex_flow="row wrap")),   # wrap: a parent of many children
            "plot": w.Output(), "panel": w.HTML(), "note": w.HTML(),
        }
        quick = []
        for which in ("best", "worst", "crashed"):
            button = w.Button(description=which, layout=w.Layout(width="80px"))
            button.on_click(lambda _, which=which: self._quick(which))
            button.disabled = quick_pick(self.evo, which) is None
            quick.append(button)
        for name in ("generation", "improved", "crashed"):
            ui[name].observe(lambda change, name=name: self._filter(name, change["new"]), names="value")
        ui["candidate"].observe(self._picked, names="value")
        self._refresh()
        return w.VBox([w.HTML(self._summary()), w.HBox([ui["generation"], ui["improved"], ui["crashed"]]),
                       w.HBox([ui["candidate"], *quick]), ui["note"], ui["plot"], ui["nav"], ui["panel"]])

    def _summary(self) -> str:
        cs = list(self.evo.candidates.values())
        record = self.evo.record
        rejected = sum(len(record.of(c.id).rejected) for c in cs) + sum(len(g["rejected"]) for g in record.given_up)
        return (f"<b>Explorer</b>: {len(cs)} candidates over {len({c.generation for c in cs})} generations; "
                f"{sum(c.failed for c in cs)} crashed, {sum(c.op == 'repair' for c in cs)} repaired, "
                f"{rejected} rejected copies ({len(record.given_up)} children given up). Pick a candidate.")

    def _quick(self, which):
        found = quick_pick(self.evo, which)
        if found is not None:
            self.select(found.id)

    def _filter(self, name, value):
        if self._busy():
            return
        setattr(self, name, None if value == ALL else value)
        shown = [c.id for c in self.shown()]
        if shown and self.selected not in shown:
            self.selected = shown[0]
        self._refresh()

    def _picked(self, change):
        if not self._busy() and change["new"] is not None:
            self.select(change["new"])

    def _busy(self) -> bool:
        return bool(self._ui and self._ui.get("busy"))

    def _refresh(self):
        ui = self._ui
        if ui is None:
            return
        import ipywidgets as w
        from IPython import get_ipython
        from IPython.display import Image, display
        ui["busy"] = True
        try:
            shown = self.shown()
            ui["generation"].value = ALL if self.generation is None else self.generation
            ui["improved"].value, ui["crashed"].value = self.improved, self.crashed
            ui["candidate"].options = [(label(self.evo, c), c.id) for c in shown]
            ui["candidate"].value = self.selected if self.selected in {c.id for c in shown} else None
            ui["note"].value = "" if shown else "<i>No candidate passes these filters.</i>"
        finally:
            ui["busy"] = False
        view = self.view
        targets = [(f"parent #{p}", p) for p in view.parents] + [(f"child #{k}", k) for k in view.children]
        buttons = []
        for text, cid in targets:
            button = w.Button(description=text, layout=w.Layout(width="auto", min_width="90px"))
            button.on_click(lambda _, cid=cid: self.select(cid))
            buttons.append(button)
        ui["nav"].children = buttons
        ui["panel"].value = html_view(view)
        self.ax = plot_lineage(self.evo, self.selected, ax=self._clear_axes())
        if get_ipython() is None:
            return   # a script or a test: no frontend to show the picture to
        ui["plot"].clear_output(wait=True)
        with ui["plot"]:
            display(Image(_png(self.ax.figure)))

    def _clear_axes(self):
        if self.ax is None:
            import matplotlib.pyplot as plt
            self.ax = ensure_axes(None, figsize=(8, 3.8))
            plt.close(self.ax.figure)   # drawn into the widget as a picture, not shown again under the cell
        self.ax.clear()
        return self.ax


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return buf.getvalue()


class WinnerPath:
    """The static view: HTML for notebook viewers, plain text for a terminal."""

    def __init__(self, evo):
        self.evo = evo

    def _repr_html_(self):
        return path_html(self.evo)

    def __repr__(self):
        return path_text(self.evo)


def explore(evo, ax=None):
    """Explore an ``Evolution`` run (live or replayed: nothing is re-run, no LLM is called). Shows the widget,
    then the winner's path from its seed as a static view; returns the axes of the run's plot."""
    from IPython.display import display
    explorer = Explorer(evo, ax)
    box = explorer.widget()
    # The widget's own text form would repeat every panel's HTML; where no widget runs, one line says what it is.
    display({"application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                          "model_id": box.model_id},
             "text/plain": f"The explorer of {len(evo.candidates)} candidates (a widget: run the notebook to use it)"},
            raw=True)
    if any(c.fitness for c in evo.candidates.values()):
        display(WinnerPath(evo))
    return explorer.ax
