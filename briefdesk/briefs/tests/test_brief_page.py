import time
from tests.factories import SourceFactory, OutletFactory, cite, make_author, make_brief, make_topic


def test_probe(site_tree, client):
    t = time.time()
    author = make_author(site_tree)
    print("author", time.time() - t)
    t = time.time()
    s1 = SourceFactory(outlet=OutletFactory(name="Reuters"))
    print("src1", time.time() - t)
    t = time.time()
    s2 = SourceFactory(medium="PDF")
    print("src2", time.time() - t)
    t = time.time()
    brief = make_brief(site_tree, authors=[author])
    print("brief", time.time() - t)
    t = time.time()
    brief = make_brief(site_tree, authors=[author], slug="b2")
    print("brief2", time.time() - t)
    t = time.time()
    r = client.get(brief.url)
    print("get", time.time() - t)
    t = time.time()
    assert 0
