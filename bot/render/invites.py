"""Joining the team as Telegram text: the caption of /invite's QR code, the welcome of the
person who joined, and the word to the manager who invited them."""

from __future__ import annotations

from bot.i18n import t
from bot.render.formatting import Localized
from bot.render.shapes import Rendered
from core.lifecycle.invites import Joined, NewInvite
from core.messages import InviteAcceptedParams


class InviteViews(Localized):
    """Renders what an invitation shows and sends."""

    def invite_link(self, lang: str, invite: NewInvite, link: str) -> str:
        """The caption of the QR code: who the link is for, the link, and until when."""
        return t(lang, f"invite.link.{invite.role.value}", office=self.office, link=link,
                 time=self.local_datetime(invite.expires_at))

    def welcome(self, lang: str, joined: Joined) -> str:
        """Three lines for someone who just joined: what the bot does, offers, /help."""
        agent = joined.agent
        return t(lang, "welcome.manager" if agent.is_manager else "welcome.agent",
                 office=self.office, name=agent.name, inviter=joined.invited_by or "")

    def _invite_accepted(self, lang: str, p: InviteAcceptedParams) -> Rendered:
        return Rendered(t(lang, f"invite_accepted.{p.role}", name=p.name))
