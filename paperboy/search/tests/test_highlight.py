from paperboy.search.highlight import highlight


def test_it_marks_the_searched_words_and_escapes_the_rest():
    html = highlight("Learning <b>sparse</b> attention", ("learned", "attention"))
    assert html == "<mark>Learning</mark> &lt;b&gt;sparse&lt;/b&gt; <mark>attention</mark>"


def test_it_leaves_math_alone():
    html = highlight("Bounds on $\\alpha$ and alpha", ("alpha",))
    assert html == "Bounds on $\\alpha$ and <mark>alpha</mark>"
