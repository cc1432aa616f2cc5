"""Part 2 of notebook 02: a mini AlphaEvolve that evolves the ``solve()`` of a scikit-learn classifier for
20 Newsgroups, scored in the sandbox as the Mini Evolve post does: 0.8 x accuracy + 0.2 x speed."""

import ast
import re
from pathlib import Path

from ..llm import extract_code
from ..sandbox import call_function, warm_server
from .engine import Check, Fitness, llm_crossover, llm_mutation
from .newsgroups_data import NewsgroupsData

# The post's seed, as printed. On scikit-learn >= 1.8 liblinear refuses 20 classes, so it scores 0.
POST_SEED = '''def solve():
    """
    Return a function that trains and returns a fitted scikit-learn text classifier.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    def train_model(X, y):
        model = make_pipeline(
            CountVectorizer(
                lowercase=True,
            ),
            LogisticRegression(max_iter=500, solver="liblinear")
        )
        model.fit(X, y)
        return model

    return train_model
'''

# Our seed: the same idea (logistic regression on raw word counts), trained by SGDClassifier with the
# logistic loss for 5 epochs, which runs on every scikit-learn this workshop supports and trains in
# seconds (the post's seed wrapped in OneVsRestClassifier also runs, but trains ~40 s here on 2 cores).
SEED_PROGRAM = POST_SEED.replace("LogisticRegression", "SGDClassifier").replace(
    'SGDClassifier(max_iter=500, solver="liblinear")', 'SGDClassifier(loss="log_loss", max_iter=5)')

# The pipeline the post's run ended with (its reference point: ~0.745 accuracy here).
POST_FINAL = '''def solve():
    from sklearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.feature_selection import SelectKBest, chi2
    from sklearn.linear_model import SGDClassifier

    def train_model(X, y):
        model = make_pipeline(
            TfidfVectorizer(lowercase=True, stop_words="english", norm="l2", smooth_idf=True,
                            use_idf=True, sublinear_tf=True),
            SelectKBest(chi2, k=8000),
            SGDClassifier(max_iter=1000, tol=0.001),
        )
        model.fit(X, y)
        return model

    return train_model
'''

# Runs in the sandbox after the candidate's code: load the split, time training and prediction.
HARNESS = '''

def _evaluate(path):
    import pickle, random, time
    import numpy as np
    with open(path, "rb") as f:
        X_train, X_test, y_train, y_test = pickle.load(f)
    random.seed(0)
    np.random.seed(0)   # estimators with random_state=None draw from here: the same run twice scores the same
    train = solve()
    start = time.perf_counter()
    model = train(X_train, y_train)
    train_time = time.perf_counter() - start
    start = time.perf_counter()
    y_pred = model.predict(X_test)
    pred_time = time.perf_counter() - start
    accuracy = float((np.asarray(y_pred) == np.asarray(y_test)).mean())
    return {"accuracy": accuracy, "train_time": train_time, "pred_time": pred_time}
'''


# --------------------------------------------------------------------------- the score
def time_to_score(elapsed: float, cap: float) -> float:
    """The post's speed score: 1 within the cap, then minus 1 for every extra cap."""
    return 1.0 if elapsed <= cap else max(0.0, 1.0 - (elapsed - cap) / cap)


def combined_score(accuracy, train_time, pred_time, accuracy_weight=0.8, max_train_time=10.0,
                   max_pred_time=3.0) -> float:
    speed = 0.5 * time_to_score(train_time, max_train_time) + 0.5 * time_to_score(pred_time, max_pred_time)
    return accuracy_weight * accuracy + (1 - accuracy_weight) * speed


def extract_solve(reply: str) -> str:
    """``solve()`` (and the imports above it) from a reply; drops example calls and other top-level code."""
    code = extract_code(reply, name="solve")
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    keep = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)
            or (isinstance(n, ast.FunctionDef) and n.name == "solve")]
    if not any(isinstance(n, ast.FunctionDef) for n in keep):
        return code
    return "\n".join(ast.get_source_segment(code, n) for n in keep) + "\n"


def _clean(text: str) -> str:
    """Error text without temporary paths or timings, so the next prompt is the same on every run."""
    text = re.sub(r'File "[^"]*?/(site-packages|sandbox-)[^"]*?/([^/"]+)"', r'File "\2"', text)
    text = re.sub(r"/tmp/[\w./-]+", "<tmp>", text)
    return text


class NewsgroupsTask:
    """Fitness, prompts and operators for evolving ``solve()``.

    The LLM sees and rewrites only ``solve()``, which returns ``train_model(X, y)`` -> a fitted classifier.
    Every candidate runs in the sandbox (timeout, memory limit); the data is split once, pickled once to a
    file, and each sandboxed run gets that file as a symlink: nothing is fetched again per candidate.
    The score's caps: train <= 10 s, predict <= 3 s.

    ``accuracy_weight`` and the time caps are the score's knobs (exercise 3 turns them). ``warm`` is an
    optional ``ForkServer`` with scikit-learn preloaded, or True for the shared one (faster starts, thread
    pools only).
    """

    def __init__(self, data: NewsgroupsData, *, accuracy_weight=0.8, max_train_time=10.0, max_pred_time=3.0,
                 timeout=40, memory_mb=2048, warm=None, max_tokens=500):
        self.data, self.accuracy_weight = data, accuracy_weight
        self.max_train_time, self.max_pred_time = max_train_time, max_pred_time
        self.timeout, self.memory_mb, self.warm, self.max_tokens = timeout, memory_mb, warm, max_tokens

    def score(self, accuracy, train_time, pred_time) -> float:
        return combined_score(accuracy, train_time, pred_time, self.accuracy_weight, self.max_train_time,
                              self.max_pred_time)

    def fitness(self, code: str) -> Fitness:
        """Run the candidate in the sandbox on the fixed split; a broken candidate scores 0 with its error."""
        if "def solve" not in code:
            return Fitness(0.0, [Check("runs", False, "no solve() function in the reply")],
                           error="the reply had no solve() function")
        run = call_function(code + HARNESS, "_evaluate", "data.pkl", timeout=self.timeout,
                            memory_mb=self.memory_mb, files={"data.pkl": Path(self.data.path)},
                            warm=warm_server(("numpy", "sklearn")) if self.warm is True else self.warm)
        if not run.ok:
            what = {"timeout": f"timed out (limit {self.timeout} s) and was killed",
                    "memory": f"ran out of memory (limit {self.memory_mb} MB)"}.get(run.status, "failed")
            tail = _clean("\n".join((run.traceback or run.stderr or "").strip().splitlines()[-6:]))
            error = f"The code {what}" + (f" with {run.error_type}" if run.error_type else "") + f":\n{tail}"
            return Fitness(0.0, [Check("runs", False, what)], error=error.strip(), info={"status": run.status})
        v = run.value
        acc, tt, pt = v["accuracy"], v["train_time"], v["pred_time"]
        fast = tt <= self.max_train_time and pt <= self.max_pred_time
        slow = []
        if tt > self.max_train_time:
            slow.append(f"training took {tt:.0f} s (limit {self.max_train_time:g} s)")
        if pt > self.max_pred_time:
            slow.append(f"prediction took {pt:.0f} s (limit {self.max_pred_time:g} s)")
        checks = [Check("runs", True, "trained and predicted"),
                  Check("accuracy", None, f"{acc:.3f} on the held-out 30% (higher is better)"),
                  Check("speed", fast, "within the time limits" if fast else "; ".join(slow))]
        return Fitness(round(self.score(acc, tt, pt), 4), checks,
                       info={"accuracy": acc, "train_time": tt, "pred_time": pt, "status": "ok"})

    # -- prompts --------------------------------------------------------------------------------
    def describe_score(self) -> str:
        w = self.accuracy_weight
        return (f"Score = {w:g} x accuracy + {1 - w:g} x speed (full speed marks when training takes at most "
                f"{self.max_train_time:g} s and prediction at most {self.max_pred_time:g} s).")

    def _show(self, c, label="Current program") -> str:
        acc = c.fitness.info.get("accuracy") if c.fitness else None
        head = f"{label} (score {c.score:.3f}" + (f", accuracy {acc:.3f})" if acc is not None else ")")
        return f"{head}:\n```python\n{c.genome.strip()}\n```\nFeedback:\n{c.feedback}"

    def mutation_prompt(self, c) -> str:
        return ("solve() returns a function train_model(X, y) that trains and returns a fitted scikit-learn "
                "text classifier (X: list of documents, y: labels of 20 classes).\n"
                f"{self.describe_score()}\n\n{self._show(c)}\n\n"
                "Write an improved solve() with a higher score. Reply with the complete Python code of "
                "solve() only, in one ```python block.")

    def crossover_prompt(self, a, b) -> str:
        return ("solve() returns a function train_model(X, y) that trains and returns a fitted scikit-learn "
                "text classifier (X: list of documents, y: labels of 20 classes).\n"
                f"{self.describe_score()}\n\n{self._show(a, 'Program A')}\n\n{self._show(b, 'Program B')}\n\n"
                "Combine what makes each program good into one solve() with a higher score. Reply with the "
                "complete Python code of solve() only, in one ```python block.")

    def operators(self, llm, crossover_share=0.3):
        kw = {"max_tokens": self.max_tokens}
        return [(llm_mutation(llm, self.mutation_prompt, extract_solve, **kw), 1 - crossover_share),
                (llm_crossover(llm, self.crossover_prompt, extract_solve, **kw), crossover_share)]

    def __getstate__(self):   # a ForkServer stays home; the data travels as its file path only
        light = NewsgroupsData([], [], [], [], self.data.source, self.data.path)
        return {**self.__dict__, "warm": None, "data": light}


