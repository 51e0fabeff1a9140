"""signals.py and tasks.train_member: a new signal retrains the member's model in a task."""

from django_tasks_db.models import DBTaskResult

from paperboy.accounts.models import Follow
from paperboy.feed import votes
from paperboy.foryou import engine
from paperboy.foryou.models import MemberModel
from paperboy.foryou.tasks import QUEUE
from paperboy.library import services as library


def queued() -> list[list]:
    return [
        r.args_kwargs["args"]
        for r in DBTaskResult.objects.filter(queue_name=QUEUE, task_path__endswith="train_member")
    ]


def run_queued() -> None:
    for result in DBTaskResult.objects.ready().filter(queue_name=QUEUE):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()


def test_an_upvote_retrains_the_members_model_in_a_task(
    alice, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        votes.upvote(user_id=alice.pk, paper_id=topics["graphs"][0].pk)
    assert queued() == [[alice.pk]]
    assert not MemberModel.objects.filter(member=alice).exists()  # not on the request path
    run_queued()
    model = MemberModel.objects.get(member=alice)
    assert (model.n_positives, model.version) == (1, 1)
    assert model.trained_at >= model.signals_at


def test_saves_collections_dismissals_and_follows_are_signals(
    alice, topics, example_lab, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        library.save(member=alice, paper=topics["vision"][0])
    with django_capture_on_commit_callbacks(execute=True):
        collection = library.create_collection(by=alice, title="Reading group")
    with django_capture_on_commit_callbacks(execute=True):
        library.add_item(collection, by=alice, paper=topics["vision"][1])
    with django_capture_on_commit_callbacks(execute=True):
        engine.dismiss(alice, topics["speech"][0])
    with django_capture_on_commit_callbacks(execute=True):
        Follow.objects.create(user=alice, organization=example_lab)
    assert queued() == [[alice.pk]] * 4  # creating an empty collection is no signal
    run_queued()
    model = MemberModel.objects.get(member=alice)
    assert (model.n_positives, model.n_negatives) == (2, 1)


def test_many_signals_in_one_transaction_enqueue_one_task(
    alice, topics, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for paper in topics["robots"][:5]:
            votes.upvote(user_id=alice.pk, paper_id=paper.pk)
    assert queued() == [[alice.pk]]


def test_another_members_signal_never_retrains_this_model(
    alice, bob, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        votes.upvote(user_id=alice.pk, paper_id=topics["graphs"][0].pk)
    run_queued()
    with django_capture_on_commit_callbacks(execute=True):
        for paper in topics["vision"]:
            votes.upvote(user_id=bob.pk, paper_id=paper.pk)
    assert queued() == [[bob.pk]]
    run_queued()
    assert MemberModel.objects.get(member=alice).version == 1
    assert MemberModel.objects.get(member=bob).n_positives == len(topics["vision"])


def test_a_bulk_save_that_sends_no_signal_is_caught_when_the_page_is_read(
    alice, topics, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        votes.upvote(user_id=alice.pk, paper_id=topics["graphs"][0].pk)
    run_queued()
    with django_capture_on_commit_callbacks(execute=True):
        library.save_many(member=alice, paper_ids=[p.pk for p in topics["speech"][:3]])
    assert queued() == []
    with django_capture_on_commit_callbacks(execute=True):
        engine.recommend(alice, limit=5)
    assert queued() == [[alice.pk]]
    run_queued()
    assert MemberModel.objects.get(member=alice).n_positives == 4
