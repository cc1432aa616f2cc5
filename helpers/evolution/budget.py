"""When ``Evolution.run`` stops, and the progress bar that shows how far it is: three budgets, any of which may
stop a run, kept out of the loop's steps so that the loop reads as the algorithm."""


class Budget:
    """``generations``: how many generations this run makes; ``max_calls``: the operators' LLM calls (re-asks
    included); ``max_evaluations``: distinct genomes scored (seeds included). The last two are checked after each
    generation, so the generation that reaches them finishes. ``generations=None`` runs until another one stops it.
    The progress bar counts the calls or the evaluations when one is given (they stop a run sooner than a number
    of generations would), else the generations."""

    def __init__(self, generations=None, max_calls=None, max_evaluations=None, progress=True):
        if generations is None and max_calls is None and max_evaluations is None:
            raise ValueError("Give run() a budget: generations=..., max_calls=... or max_evaluations=...")
        self.generations, self.max_calls, self.max_evaluations = generations, max_calls, max_evaluations
        self.progress = progress

    def numbers(self, evo):
        """The numbers of the generations to make, from the one after ``evo``'s last, until a budget is spent;
        then ``evo.stopped`` says which one (or that 10 generations in a row spent nothing of it)."""
        first = evo.history[-1].generation + 1 if evo.history else 1
        unit, total, spent = self._counted(evo)
        bar = None
        if self.progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=total, desc=unit, initial=min(spent(), total))
        gen, idle = first, 0
        try:
            while True:
                before = spent()
                yield gen
                if bar is not None:
                    bar.update(min(spent(), total) - min(before, total))
                idle = idle + 1 if spent() == before else 0   # e.g. max_calls with operators that make no call
                evo.stopped = self._spent(evo, gen - first + 1) or (
                    f"no progress: {idle} generations in a row spent none of the {unit} budget" if idle >= 10 else "")
                if evo.stopped:
                    break
                gen += 1
        finally:
            if bar is not None:
                bar.close()
        if bar is not None:
            print(f"stopped by {evo.stopped}")

    def _counted(self, evo):
        """(unit, total, spent so far) of the budget the bar counts."""
        if self.max_calls is not None:
            return "LLM calls", self.max_calls, lambda: evo.calls
        if self.max_evaluations is not None:
            return "evaluations", self.max_evaluations, lambda: evo.evaluations
        done = len(evo.history)
        return "generations", self.generations, lambda: len(evo.history) - done

    def _spent(self, evo, ran) -> str:
        """Which budget, if any, is spent after ``ran`` generations of this run ("" while none is)."""
        gen = evo.history[-1].generation
        if self.max_calls is not None and evo.calls >= self.max_calls:
            return f"max_calls={self.max_calls}: {evo.calls} LLM calls after generation {gen}"
        if self.max_evaluations is not None and evo.evaluations >= self.max_evaluations:
            return f"max_evaluations={self.max_evaluations}: {evo.evaluations} evaluations after generation {gen}"
        if self.generations is not None and ran >= self.generations:
            return f"generations={self.generations}: generation {gen} done"
        return ""
