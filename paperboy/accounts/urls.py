"""Profiles, follows, organizations and authorship claims. Included before papers.urls."""

from django.urls import path, re_path

from paperboy.accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>", views.profile, name="profile"),
    path("follow/org/<slug:slug>", views.follow_org, name="follow_org"),
    path("follow/author/<int:pk>", views.follow_author, name="follow_author"),
    path("papers/<path:arxiv_id>/claim", views.claim, name="claim"),
    path("claims/<int:pk>/visibility", views.claim_visibility, name="claim_visibility"),
    path("orgs/new", views.org_create, name="org_create"),
    path("orgs/<slug:slug>/edit", views.org_edit, name="org_edit"),
    path("orgs/<slug:slug>/members", views.org_members, name="org_members"),
    path("invitations/<str:token>", views.invitation, name="invitation"),
    # Uploaded organization avatars: few and small, served by Django itself (a reverse proxy
    # may serve PAPERBOY_DATA_DIR/media/ directly instead).
    re_path(r"^media/(?P<path>avatars/.+)$", views.avatar, name="avatar"),
]
