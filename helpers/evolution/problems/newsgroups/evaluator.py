def _evaluate(stage="validation", slice_size=1000, data="data.pkl", **_):
    import pickle, random, time  # noqa: E401 (one line: the candidate's tracebacks keep their line numbers)
    import numpy as np
    from sklearn.model_selection import train_test_split
    with open(data, "rb") as f:
        X_train, X_test, y_train, y_test = pickle.load(f)
    if stage != "test":
        X_train, X_test, y_train, y_test = train_test_split(X_train, y_train, test_size=0.25, random_state=0,
                                                            stratify=y_train)
    if stage == "slice":
        X_train, y_train = X_train[:slice_size], y_train[:slice_size]
    random.seed(0)
    np.random.seed(0)   # estimators with random_state=None draw from here: the same run twice scores the same
    train = solve()
    start = time.process_time()
    model = train(X_train, y_train)
    train_time = time.process_time() - start
    start = time.process_time()
    y_pred = model.predict(X_test)
    pred_time = time.process_time() - start
    accuracy = float((np.asarray(y_pred) == np.asarray(y_test)).mean())
    return {"accuracy": accuracy, "train_time": train_time, "pred_time": pred_time, "n_train": len(X_train),
            "n_predict": len(X_test)}


# Notebook 02's evaluator for the 20 Newsgroups task, the kit's way of writing a FunSearch specification: it
# follows the candidate's solve() in one module (workshop.toml: inline = "_evaluate"), so a traceback points at
# the candidate's own lines, and each stage calls _evaluate(stage, **options): "slice" (the cascade's cheap first
# look, a slice of the training documents), "validation" (what selection sees: a quarter of the training split
# held out) and "test" (the held-out verdict, trained on the whole training split). The data is split once and
# linked into every run's folder as data.pkl. Training and prediction are timed in CPU seconds, so a busy machine
# cannot change a score; the score itself (accuracy and speed, with caps that scale with the data) is computed
# from these figures by helpers.evolution.tasks.newsgroups.judge.
