"""Profiles, following and unfollowing, organization management, authorship claims, avatars.

The lists of papers (an author's, the Following page, an organization's) are the feed's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from paperboy.accounts import claims, orgs
from paperboy.accounts.forms import InvitationForm, OrganizationForm
from paperboy.accounts.models import (
    AuthorClaim,
    Follow,
    Invitation,
    Membership,
    Organization,
    User,
)
from paperboy.lib.limits import limited
from paperboy.papers.models import Author, Paper


def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None:
        raise Http404(f"There is no member called “{username[:64]}” here.")
    claims = AuthorClaim.objects.filter(user=person).select_related("paper", "author")
    if request.user != person:
        claims = claims.on_profile()
    return render(
        request,
        "accounts/profile.html",
        {
            "person": person,
            "claims": list(claims.order_by("-paper__published_at")),
            "memberships": list(person.memberships.select_related("organization")),
            "is_me": request.user == person,
        },
    )


# --- Follows -----------------------------------------------------------------------------------


def _toggle_follow(request: HttpRequest, *, target: dict, back: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if request.POST.get("follow") == "1":
        try:
            with transaction.atomic():
                Follow.objects.create(user=request.user, **target)
        except IntegrityError:
            pass  # already following: one follow per target
    else:
        Follow.objects.filter(user=request.user, **target).delete()
    if request.htmx:
        following_now = Follow.objects.filter(user=request.user, **target).exists()
        return render(
            request,
            "accounts/partials.html#follow",
            {"following": following_now, "action": request.path, "next_url": back},
        )
    return redirect(back)


@require_POST
def follow_org(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _org(slug)
    return _toggle_follow(
        request, target={"organization": organization}, back=organization.get_absolute_url()
    )


@require_POST
def follow_author(request: HttpRequest, pk: int) -> HttpResponse:
    person = Author.objects.filter(pk=pk).first()
    if person is None:
        raise Http404("There is no such author.")
    return _toggle_follow(
        request, target={"author": person}, back=reverse("feed:author", args=[pk])
    )


# --- Claims ------------------------------------------------------------------------------------


@require_POST
@limited("claim")
def claim(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"There is no paper {arxiv_id[:64]} in the catalog.")
    if not request.user.is_authenticated:
        return redirect_to_login(paper.get_absolute_url())
    try:
        made = claims.submit(
            user=request.user,
            paper=paper,
            author_id=request.POST.get("author"),
            note=request.POST.get("note", ""),
        )
    except claims.ClaimRefused as exc:
        return render(
            request,
            "accounts/claim_refused.html",
            {"paper": paper, "message": exc.message},
            status=exc.status,
        )
    if made.status == AuthorClaim.Status.APPROVED:
        messages.success(
            request, f"You are now listed as {made.author.name} on this paper ({made.auto_rule})."
        )
    else:
        messages.success(
            request,
            f"Thanks! Your claim to be {made.author.name} waits for an admin's approval.",
        )
    return redirect(paper.get_absolute_url())


@login_required
@require_POST
def claim_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    updated = AuthorClaim.objects.filter(pk=pk, user=request.user).update(
        show_on_profile=request.POST.get("show") == "1"
    )
    if not updated:
        raise Http404("You have no such claim.")
    return redirect("accounts:profile", request.user.username)


# --- Organizations -----------------------------------------------------------------------------


def _org(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise Http404(f"There is no organization called “{slug[:64]}” here.")
    return organization


def _refused(request: HttpRequest, exc, *, back: str) -> HttpResponse:
    return render(
        request, "accounts/refused.html", {"message": exc.message, "back": back}, status=exc.status
    )


@login_required
def org_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            organization = orgs.create(user=request.user, form=form)
            messages.success(request, f"{organization.name} is ready. Invite your colleagues!")
            return redirect("accounts:org_members", organization.slug)
        return render(request, "accounts/org_form.html", {"form": form}, status=400)
    return render(request, "accounts/org_form.html", {"form": form})


@login_required
def org_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organization = _org(slug)
    if not organization.is_admin(request.user):
        return _refused(
            request,
            orgs.OrgRefused(f"Only the admins of {organization.name} can edit it.", status=403),
            back=organization.get_absolute_url(),
        )
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    context = {"form": form, "organization": organization}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Saved.")
            return redirect(organization.get_absolute_url())
        return render(request, "accounts/org_form.html", context, status=400)
    return render(request, "accounts/org_form.html", context)


@login_required
def org_members(request: HttpRequest, slug: str) -> HttpResponse:
    """Members and invitations: everyone in the organization sees them; admins change them."""
    organization = _org(slug)
    role = organization.role_of(request.user)
    back = reverse("accounts:org_members", args=[slug])
    if not role:
        return _refused(
            request,
            orgs.OrgRefused(f"Only members of {organization.name} can see this page.", 403),
            back=organization.get_absolute_url(),
        )
    form = InvitationForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                form = InvitationForm(request.POST)
                if not form.is_valid():
                    orgs.require_admin(organization, request.user)
                    raise orgs.OrgRefused(
                        "Enter a valid email address to invite: "
                        + "; ".join(e for errs in form.errors.values() for e in errs)
                    )
                made = orgs.invite(
                    organization=organization,
                    by=request.user,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
                messages.success(request, f"Invitation sent to {made.email}.")
            elif action in ("remove", "role", "cancel"):
                target = request.POST.get("target", "")
                if not target.isdigit():
                    raise orgs.OrgRefused("Which one?")
                if action == "remove":
                    orgs.remove(organization=organization, by=request.user, user_id=int(target))
                    messages.success(request, "Removed.")
                    if int(target) == request.user.pk:
                        return redirect(organization.get_absolute_url())
                elif action == "role":
                    orgs.set_role(
                        organization=organization,
                        by=request.user,
                        user_id=int(target),
                        role=request.POST.get("role", ""),
                    )
                    messages.success(request, "Role changed.")
                else:
                    orgs.cancel_invitation(
                        organization=organization, by=request.user, invitation_id=int(target)
                    )
                    messages.success(request, "Invitation cancelled.")
            else:
                raise orgs.OrgRefused("Unknown action.")
        except orgs.OrgRefused as exc:
            return _refused(request, exc, back=back)
        return redirect(back)
    return render(
        request,
        "accounts/org_members.html",
        {
            "organization": organization,
            "is_admin": role == Membership.Role.ADMIN,
            # Admins first ("admin" < "member"), then by username.
            "memberships": organization.memberships.select_related("user").order_by(
                "role", "user__username"
            ),
            "invitations": organization.invitations.open() if role == "admin" else [],
            "form": form,
            "roles": Membership.Role.choices,
        },
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invite = Invitation.objects.select_related("organization").filter(token=token).first()
    if invite is None:
        raise Http404("This invitation link is not valid (it may have been cancelled).")
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            orgs.accept(invitation=invite, user=request.user)
        except orgs.OrgRefused as exc:
            return _refused(request, exc, back=invite.organization.get_absolute_url())
        messages.success(request, f"Welcome to {invite.organization.name}!")
        return redirect(invite.organization.get_absolute_url())
    return render(request, "accounts/invitation.html", {"invitation": invite})


AVATAR_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def avatar(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded avatar, read from the uploads' storage (STORAGES["default"]: MEDIA_ROOT on
    disk by default, which refuses paths that leave it). Only image files, never run as a
    document: a file that a browser could render as a page (an upload from before avatars were
    renamed to their image format) is not served."""
    import mimetypes

    from django.core.exceptions import SuspiciousFileOperation
    from django.core.files.storage import storages
    from django.http import FileResponse

    if not path.lower().endswith(AVATAR_EXTENSIONS):
        raise Http404("There is no such avatar.")
    try:
        file = storages["default"].open(path)
    except (OSError, SuspiciousFileOperation):
        raise Http404("There is no such avatar.") from None
    response = FileResponse(file, content_type=mimetypes.guess_type(path)[0])
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
