"""The comments app's own problem codes."""

from platform_common.problems import TitledCode


class CommentCode(TitledCode):
    EDIT_WINDOW_CLOSED = "comment_edit_window_closed", "The comment can no longer be edited"
    INVALID_PARENT = "comment_invalid_parent", "The comment replied to is not in this thread"
    COMMENTS_CLOSED = "comments_closed", "Only published articles take comments"
