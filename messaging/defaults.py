"""The shipped default templates, in Japanese and English (docs/product.md §5)."""

from __future__ import annotations

from typing import NamedTuple


class Default(NamedTuple):
    subject: str
    body: str


DEFAULTS: dict[str, dict[str, Default]] = {
    "ja": {
        "D03": Default(
            "録画面接のご案内(登録完了)",
            """{{氏名}} 様

このたびは{{会社名}}の「{{募集要項名}}」にご応募いただき、誠にありがとうございます。
録画面接へのご登録が完了しましたので、ご案内いたします。

下記のURLから録画面接を開始してください。
{{録画面接URL}}

■回答期限
{{回答期限}}

■ご受験にあたって
・カメラとマイクが使えるスマートフォンまたはパソコンをご用意ください。
・静かで明るい場所での回答をおすすめします。
・回答は途中で中断しても、期限までは同じURLから再開できます。

ご不明な点がございましたら、本メールにご返信ください。
{{氏名}} 様のご回答を心よりお待ちしております。

――――――――――
{{会社名}} 採用担当
iM採用ID: {{iM採用ID}}
※本メールは送信専用アドレスからお送りしています。
""",
        ),
        "D04": Default(
            "録画面接のご回答のお願い",
            """{{氏名}} 様

{{会社名}} 採用担当です。
先日ご案内いたしました「{{募集要項名}}」の録画面接について、まだご回答を確認できておりません。

お忙しいところ恐れ入りますが、回答期限までに下記のURLからご回答をお願いいたします。
{{録画面接URL}}

■回答期限
{{回答期限}}

すでにご回答いただいている場合は、行き違いとなりましたことをご容赦ください。
ご不明な点がございましたら、本メールにご返信ください。

――――――――――
{{会社名}} 採用担当
iM採用ID: {{iM採用ID}}
""",
        ),
        "D05": Default(
            "録画面接の提出を受け付けました",
            """{{氏名}} 様

{{会社名}} 採用担当です。
「{{募集要項名}}」の録画面接のご回答を受け付けました。
お忙しいなか、ご対応いただき誠にありがとうございました。

選考結果につきましては、改めてご連絡いたします。
今しばらくお待ちくださいますよう、お願い申し上げます。

――――――――――
{{会社名}} 採用担当
iM採用ID: {{iM採用ID}}
""",
        ),
        "D06": Default(
            "録画面接の回答期限延長のお知らせ",
            """{{氏名}} 様

{{会社名}} 採用担当です。
「{{募集要項名}}」の録画面接について、回答期限を延長いたしました。

新しい回答期限までに、下記のURLからご回答をお願いいたします。
{{録画面接URL}}

■新しい回答期限
{{回答期限}}

――――――――――
{{会社名}} 採用担当
iM採用ID: {{iM採用ID}}
""",
        ),
        "D07": Default(
            "録画面接の評価のお願い",
            """{{面接官名}} 様

{{会社名}} 採用担当です。
録画面接の評価をお願いしたく、ご連絡いたしました。

下記は{{面接官名}} 様専用の評価用URLです。ログインは不要です。
回答を提出した応募者が順に表示されますので、動画をご覧のうえ評価シートにご記入ください。
「次へ」で次の応募者に進めます。新たに提出があれば、同じURLに追加されます。
{{評価URL}}

※このURLは{{面接官名}} 様専用です。他の方への転送はお控えください。
ご不明な点がございましたら、本メールにご返信ください。

――――――――――
{{会社名}} 採用担当
※本メールは送信専用アドレスからお送りしています。
""",
        ),
        "D08": Default(
            "新しく回答が提出されました",
            """{{宛先名}} 様

{{会社名}} の録画面接に、新しく{{件数}}名の回答が提出されました。

{{提出者一覧}}

こちらからご確認いただけます。
{{確認URL}}

――――――――――
{{会社名}} 採用担当
※このメールは一定時間ごとにまとめてお送りしています。新しい提出がない間は送信されません。
""",
        ),
    },
    "en": {
        "D03": Default(
            "Your recorded interview: registration complete",
            """Dear {{氏名}},

Thank you for applying to "{{募集要項名}}" at {{会社名}}.
You are now registered for the recorded video interview.

Please start your interview here:
{{録画面接URL}}

Deadline: {{回答期限}}

Before you start:
- Use a smartphone or computer with a camera and a microphone.
- Find a quiet, well-lit place.
- You can pause and come back to the same link until the deadline.

If you have any questions, simply reply to this email.
We look forward to your answers.

--
{{会社名}} Recruiting
iM ID: {{iM採用ID}}
This message was sent from an address that does not receive replies.
""",
        ),
        "D04": Default(
            "Reminder: please complete your recorded interview",
            """Dear {{氏名}},

This is {{会社名}} Recruiting. We have not yet received your answers to the recorded interview
for "{{募集要項名}}".

Please complete it before the deadline using your personal link:
{{録画面接URL}}

Deadline: {{回答期限}}

If you have already submitted your answers, please disregard this message.

--
{{会社名}} Recruiting
iM ID: {{iM採用ID}}
""",
        ),
        "D05": Default(
            "We have received your recorded interview",
            """Dear {{氏名}},

Thank you for completing the recorded interview for "{{募集要項名}}" at {{会社名}}.
Your answers have been received.

We will contact you about the next steps.

--
{{会社名}} Recruiting
iM ID: {{iM採用ID}}
""",
        ),
        "D06": Default(
            "Your recorded interview: the deadline has been extended",
            """Dear {{氏名}},

This is {{会社名}} Recruiting. We have extended the deadline of your recorded interview
for "{{募集要項名}}".

Please complete it before the new deadline using your personal link:
{{録画面接URL}}

New deadline: {{回答期限}}

--
{{会社名}} Recruiting
iM ID: {{iM採用ID}}
""",
        ),
        "D07": Default(
            "Please evaluate recorded interviews",
            """Dear {{面接官名}},

This is {{会社名}} Recruiting. We would like to ask you to evaluate recorded interviews.

Your personal review link is below; no login is needed. It shows the applicants who have submitted,
one after another: watch their answers and fill in the evaluation sheet, then go on with "Next".
New submissions are added to the same link.
{{評価URL}}

This link is for you alone; please do not forward it.
If you have any questions, simply reply to this email.

--
{{会社名}} Recruiting
This message was sent from an address that does not receive replies.
""",
        ),
        "D08": Default(
            "New recorded interviews have been submitted",
            """Dear {{宛先名}},

{{件数}} new recorded interview(s) have been submitted at {{会社名}}:

{{提出者一覧}}

See them here:
{{確認URL}}

--
{{会社名}} Recruiting
This digest is sent at regular intervals, and only when there is something new.
""",
        ),
    },
}


# Lines that only make sense with a reply address (応募設定: 返信先メールアドレス), and lines that only make
# sense without one. The shipped defaults carry both; default_for keeps the right ones.
REPLY_INVITES = (
    "ご不明な点がございましたら、本メールにご返信ください。",
    "If you have any questions, simply reply to this email.",
)
NO_REPLY_NOTES = (
    "※本メールは送信専用アドレスからお送りしています。",
    "This message was sent from an address that does not receive replies.",
)


def default_for(code: str, language: str, *, replies: bool = False) -> Default:
    """The shipped template; `replies` when the company has a reply address (Reply-To)."""
    default = DEFAULTS.get(language, DEFAULTS["ja"])[code]
    dropped = NO_REPLY_NOTES if replies else REPLY_INVITES
    lines = [line for line in default.body.splitlines(keepends=True) if line.strip() not in dropped]
    return Default(default.subject, "".join(lines))
