namespace RingCore.VNodes;

/// <summary>
/// What stopping a vnode's actors left undone: the actors still there when the deadline came
/// (described as <c>type 'key'</c>, stuck in a handler or still draining their mailbox), and the
/// errors of actors whose state could not be stored.
/// </summary>
internal sealed record ActorStopOutcome(IReadOnlyList<string> Unfinished, IReadOnlyList<Exception> Errors)
{
    public static ActorStopOutcome Done { get; } = new([], []);
}
