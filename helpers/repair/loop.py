"""The self-repair loop: run the tests, show the model the failure, run its fix, repeat.

It lives here, not in notebook 01, because notebook 02's evolution reuses it to repair a crashing child before
discarding it. Notebook 01 prints it with ``show_source(repair)`` and walks through it line by line."""

from ..llm.parsing import extract_code
from ..program_text import program_key
from ..sandbox import run_tests
from .experiment import RepairRun
from .feedback import ASK_FOR, TIMEOUT, refusal_note, repeat_note
from .splice import splice_reply


def repair(code, tests, *, llm, max_attempts=3, feedback="full", prompt=None, timeout=TIMEOUT,
           temperature=0.2, sample=0, files=None, ask_for="program", max_tokens=400):
    """Run the tests; while they fail, show the model the failure and try its fix. Success = every test passes.

    ``max_attempts`` bounds the LLM calls. A fix already tried (the same ``program_key``: layout, comments and
    docstrings do not count) is not run again: the model is told so once, and a second repeat in a row ends the
    loop; ``RepairRun.repeats`` counts them. ``sample=1, 2, ...`` makes an independent run of the same repair.
    ``files`` (name -> path) are linked into each run's folder, as ``run_tests`` does. ``tests`` may also be a
    function of the code that returns the tests for it (notebook 05 wraps each version in its evaluator).
    ``ask_for="functions"`` asks for only the functions to change and splices them into the program by name
    (splice.py): a long program is not copied back, bug included. A reply it cannot use is a failed attempt,
    its one-line reason kept in ``RepairRun.refused`` and told to the model in the next prompt."""
    if ask_for not in ASK_FOR:
        raise ValueError(f"ask_for must be one of {list(ASK_FOR)}, not {ask_for!r}")
    system, prompt = ASK_FOR[ask_for][0], prompt or ASK_FOR[ask_for][1]
    test = tests if callable(tests) else lambda _: tests
    report = run_tests(code, test(code), timeout=timeout, files=files)   # in a child: crashes and hangs stay there
    history = [(code, report)]                             # (code, test report) for every version run
    tried = {program_key(code): report}                    # what each version already told us
    note, calls, repeats, repeated, refused, replies = "", 0, [], False, [], []
    while not report.all_passed and calls < max_attempts:
        reply = llm.chat(prompt(code, report, feedback) + note, system=system, temperature=temperature,
                         max_tokens=max_tokens, sample=100 * sample + calls)
        calls = calls + 1
        replies.append(reply)
        if ask_for == "functions":                         # only the functions it changes, put in by name
            fix, why = splice_reply(code, reply)
            if why:                                        # a wasted call: say why, here and to the model
                refused.append(f"reply {calls}: {why}")
                note, repeated = refusal_note(why), False
                continue
        else:
            fix = extract_code(reply)
        if not fix:                                        # no code in the reply: this call is wasted
            continue
        key = program_key(fix)
        if key in tried:                                   # running it again would tell us nothing new
            repeats.append(key == program_key(code))
            if repeated:
                return RepairRun(history, "the same fix was sent twice in a row", calls, repeats, refused, replies)
            note, repeated = repeat_note(tried[key], feedback, unchanged=repeats[-1]), True
            continue
        note, repeated, code = "", False, fix
        report = tried[key] = run_tests(code, test(code), timeout=timeout, files=files)
        history.append((code, report))
    return RepairRun(history, calls=calls, repeats=repeats, refused=refused, replies=replies)
