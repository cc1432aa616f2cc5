"""Newsgroups fitness on a small stratified subset (the cached data from SCIKIT_LEARN_DATA), in the sandbox."""

import hashlib
import pickle
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import sklearn

from helpers import FakeLLM
from helpers.evolution import (
    POST_FINAL,
    POST_SEED,
    SEED_PROGRAM,
    SEEDS,
    Evolution,
    check_speed_weights,
    extract_solve,
    load_newsgroups,
    newsgroups_problem,
)
from helpers.evolution.tasks import newsgroups_data
from helpers.evolution.tasks.newsgroups import caps, changes, combined_score, score, settings, time_to_score
from helpers.evolution.tasks.newsgroups_data import offline_corpus, real_corpus_cached, split_corpus
from helpers.evolution.tasks.tidy import strip_junk


@pytest.fixture(scope="module")
def small():
    return load_newsgroups(limit=700)


def test_data_is_split_once_and_pickled_for_the_sandbox():
    X, y = offline_corpus()                                            # data the test makes: no network needed
    data = split_corpus(X, y, "made-up", limit=500)
    assert len(data.X_train) == 350 and len(data.X_test) == 150       # a stratified subset, then 70/30
    assert set(data.y_train) == set(data.y_test)                      # stratified: every class on both sides
    with open(data.path, "rb") as f:
        X_train, X_test, y_train, y_test = pickle.load(f)
    assert X_train == data.X_train and y_test == data.y_test
    assert split_corpus(X, y, "made-up", limit=500).X_test == data.X_test   # the same split every time


@pytest.mark.skipif(not real_corpus_cached(), reason="20 Newsgroups is not cached here (set SCIKIT_LEARN_DATA)")
def test_the_real_corpus_is_the_posts_subset(small):
    assert small.source == "20 Newsgroups (test subset)" and len(set(small.y_train)) == 20
    assert len(small.X_train) == 490 and len(small.X_test) == 210


def test_the_download_shows_progress_and_refuses_a_damaged_archive(tmp_path, monkeypatch, capsys):
    payload = b"not really a tarball" * 1000
    server = HTTPServer(("127.0.0.1", 0), lambda *a: _Archive(payload, *a))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(newsgroups_data, "ARCHIVE_URL", f"http://127.0.0.1:{server.server_port}/archive")
    try:
        monkeypatch.setattr(newsgroups_data, "ARCHIVE_SHA256", hashlib.sha256(payload).hexdigest())
        newsgroups_data.download_archive(tmp_path / "good")
        assert (tmp_path / "good" / newsgroups_data.ARCHIVE_NAME).read_bytes() == payload
        assert "20 Newsgroups (once)" in capsys.readouterr().err                  # the tqdm bar
        monkeypatch.setattr(newsgroups_data, "ARCHIVE_SHA256", "0" * 64)
        with pytest.raises(OSError, match="checksum"):
            newsgroups_data.download_archive(tmp_path / "bad")
        assert not any((tmp_path / "bad").iterdir())                          # nothing half-written is left
    finally:
        server.shutdown()


def test_without_data_it_says_so_in_one_line_and_falls_back(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))
    monkeypatch.setattr(newsgroups_data, "ARCHIVE_URL", "http://127.0.0.1:9/nothing-listens-here")
    data = load_newsgroups()
    assert "NOT 20 Newsgroups" in data.source and len(set(data.y_train)) == 4
    said = [line for line in capsys.readouterr().out.splitlines() if line.startswith("⚠")]
    assert len(said) == 1 and "SCIKIT_LEARN_DATA" in said[0] and "made-up" in said[0]


class _Archive(BaseHTTPRequestHandler):
    def __init__(self, payload, *args):
        self.payload = payload
        super().__init__(*args)

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args):
        pass


def test_the_score_is_the_posts():
    # pass or fail per cap, in CPU seconds: a busy machine cannot move a score (nor the next prompt)
    assert time_to_score(5, 10) == 1.0 and time_to_score(10, 10) == 1.0 and time_to_score(10.5, 10) == 0.0
    assert combined_score(0.75, 1, 1) == pytest.approx(0.8)
    assert combined_score(0.75, 15, 1) == pytest.approx(0.6 + 0.2 * 0.5)   # half the speed marks
    assert combined_score(0.5, 1, 1, accuracy_weight=0.5) == pytest.approx(0.75)


def test_the_caps_are_for_the_whole_splits_and_a_smaller_run_gets_a_proportional_cap(small):
    task = newsgroups_problem(small, max_train_time=8, max_pred_time=3)
    n_train, n_test = len(small.X_train), len(small.X_test)
    assert caps(task.options, n_train, n_test) == (8, 3)
    assert caps(task.options, n_train // 2, n_test // 3) == pytest.approx((4, 1), rel=0.02)
    # 6 CPU seconds of training: fast on the whole split, too slow for a run on half of it
    assert score(task.options, 0.75, 6, 0.5) == pytest.approx(0.8)
    assert score(task.options, 0.75, 6, 0.5, n_train // 2, n_test) == pytest.approx(0.7)
    assert f"training on {n_train:,} documents takes at most 8 CPU seconds" in task.description
    validation = task.run(SEEDS[2], "validation")            # the harness says how many documents each stage used
    assert validation.info["status"] == "ok" and "more than" not in validation.feedback()


def test_good_programs_score_in_the_sandbox_and_broken_ones_score_zero_with_their_error(small):
    task = newsgroups_problem(small, timeout=60)
    good = task.fitness(POST_FINAL)
    assert good.info["status"] == "ok" and 0.3 < good.info["accuracy"] <= 1
    assert good.score == pytest.approx(score(task.options, good.info["accuracy"], good.info["train_time"],
                                             good.info["pred_time"]), abs=1e-4)
    broken = task.fitness(SEED_PROGRAM.replace("model.fit(X, y)", "model.fit(X, y[:3])"))
    assert broken.score == 0.0 and "ValueError" in broken.error
    assert "/tmp/" not in broken.error                                    # no temporary paths in prompts
    assert task.fitness("print('no function')").score == 0.0


@pytest.mark.skipif(tuple(int(x) for x in sklearn.__version__.split(".")[:2]) < (1, 8),
                    reason="liblinear refuses 20 classes only from scikit-learn 1.8")
def test_the_posts_seed_as_printed_fails_on_this_scikit_learn(small):
    fit = newsgroups_problem(small).fitness(POST_SEED)
    assert fit.score == 0.0 and "liblinear" in fit.error


def test_a_slow_candidate_is_stopped_by_the_timeout(small):
    slow = "def solve():\n    import time\n    def train_model(X, y):\n        time.sleep(30)\n    return train_model\n"
    fit = newsgroups_problem(small, timeout=3).fitness(slow)
    assert fit.score == 0.0 and fit.info["status"] == "timeout" and "timed out" in fit.error


def test_the_same_program_scores_the_same_accuracy_twice(small):
    task = newsgroups_problem(small, timeout=60)
    a, b = task.fitness(POST_FINAL), task.fitness(POST_FINAL)
    assert a.info["accuracy"] == b.info["accuracy"]                       # the harness seeds numpy


def test_extract_solve_keeps_solve_and_its_imports_only():
    reply = ("Here you go:\n```python\nimport numpy as np\n\ndef solve():\n    return 1\n\nresult = solve()\n"
             "print(scoring_function(result))\n```")
    code = extract_solve(reply)
    assert "def solve" in code and "import numpy" in code and "scoring_function" not in code


def test_prompts_carry_the_error_of_a_broken_parent_and_the_evolution_repairs_it(small):
    task = newsgroups_problem(small, timeout=60)
    fake = FakeLLM([lambda r: f"```python\n{POST_FINAL}```"] * 4)
    evo = Evolution(task.fitness, task.operators(fake, crossover_share=0.0), population_size=2, children=1, seed=0)
    evo.run(1, seeds=["def solve():\n    raise RuntimeError('boom')\n"], progress=False)
    prompt = fake.requests[0]["messages"][0]["content"]
    assert "RuntimeError" in prompt and "boom" in prompt and "0.8 x accuracy" in prompt
    assert evo.best.score > 0.5


def test_the_task_travels_light(small):
    """A Dask executor pickles the problem with each job: the data goes as its file's path, never as documents."""
    blob = pickle.dumps(newsgroups_problem(small))
    clone = pickle.loads(blob)
    assert clone.files["data.pkl"] == Path(small.path) and Path(small.path).exists() and len(blob) < 50_000
    assert clone.description == newsgroups_problem(small).description


def test_check_speed_weights(small, capsys):
    assert check_speed_weights(None) is False
    assert check_speed_weights(newsgroups_problem(small)) is False
    assert "still the post's score" in capsys.readouterr().out
    fast = newsgroups_problem(small, accuracy_weight=0.5, max_train_time=2, max_pred_time=0.5)
    assert check_speed_weights(fast) is False                             # no evolution yet
    evo = Evolution(fast.fitness, [], population_size=1)
    evo.start([POST_FINAL])
    assert check_speed_weights(fast, evo=evo) is True


JUNK_WINNER = '''import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import ComplementNB
from sklearn.model_selection import train_test_split, cross_val_score
def solve():
    """Return a function that trains and returns a fitted scikit-learn text classifier."""

    def train_model(X, y):
        model = make_pipeline(TfidfVectorizer(sublinear_tf=True),
                              ComplementNB(alpha=0.5) # Change this parameter
        )
        # Train the model
        model.fit(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
        scores = cross_val_score(model, X_train, y_train, cv=5, scoring='accuracy')
        print(f'Training accuracy: {scores.mean():.3f}')
        return model

    return train_model
'''


def test_strip_junk_keeps_what_makes_the_score_and_the_score_stays_the_same(small):
    clean = strip_junk(JUNK_WINNER)
    for junk in ("print", "cross_val_score", "train_test_split", "#", "numpy"):
        assert junk not in clean, clean
    for kept in ("model.fit(X, y)", "ComplementNB(alpha=0.5)", "return model", "return train_model"):
        assert kept in clean
    assert strip_junk(clean) == clean and strip_junk(SEED_PROGRAM).strip() == SEED_PROGRAM.strip()
    task = newsgroups_problem(small, timeout=60)
    before, after = task.run(JUNK_WINNER, "validation"), task.run(clean, "validation")
    assert before.info["status"] == after.info["status"] == "ok"
    assert before.info["accuracy"] == after.info["accuracy"]
    assert after.info["train_time"] <= before.info["train_time"]        # the cross-validation is gone


def test_strip_junk_keeps_a_call_that_changes_the_model_and_a_name_that_is_read():
    code = "def f(m, X):\n    out = m.fit(X)\n    n = len(X)\n    print(n)\n    k = len(X)\n    return out, k\n"
    clean = strip_junk(code)
    assert "out = m.fit(X)" in clean and "k = len(X)" in clean and "print" not in clean and "n = len" not in clean


def test_changes_names_the_settings_a_child_changed():
    child = SEEDS[2].replace("SGDClassifier()", "ComplementNB(alpha=0.5)")
    assert changes(SEEDS[2], child) == "SGDClassifier() -> ComplementNB(alpha=0.5)"
    tuned = SEEDS[2].replace("sublinear_tf=True", "sublinear_tf=False, stop_words='english'")
    assert changes(SEEDS[2], tuned) == "TfidfVectorizer: +stop_words='english' sublinear_tf=True->False"
    assert changes(SEEDS[2], SEEDS[2] + "\n# a comment\n") == "same estimators, other code"
    piped = "m = Pipeline([('v', TfidfVectorizer()), ('c', LinearSVC(C=0.5))])"
    assert settings(piped) == ["TfidfVectorizer()", "LinearSVC(C=0.5)"]
    raising = SEEDS[2].replace("model.fit(X, y)", "if not len(y):\n            raise ValueError(f'no labels')\n"
                                                  "        model.fit(X, y)")
    assert changes(SEEDS[2], raising) == "same estimators, other code"


def test_a_keyword_suggestion_of_python_3_13_replays_as_the_recorded_wording():
    from helpers.llm.replay import portable
    said = "TypeError: TfidfVectorizer.__init__() got an unexpected keyword argument 'n_features'"
    on_313 = {"messages": [{"role": "user", "content": said + ". Did you mean 'max_features'?"}]}
    assert portable(on_313) == portable({"messages": [{"role": "user", "content": said}]})
