namespace RingCore.Actors;

/// <summary>
/// The pending reply of one Ask. Continuations run asynchronously so a caller's code never
/// runs inside the actor's turn (STYLE.md: continuations never run under the actor's control).
/// </summary>
internal sealed class AskReply<TReply>(string typeName) : TaskCompletionSource<TReply>(TaskCreationOptions.RunContinuationsAsynchronously), IReplySink
{
    public void Complete(object? reply)
    {
        if (reply is TReply typed)
        {
            TrySetResult(typed);
        }
        else if (reply is null && default(TReply) is null)
        {
            TrySetResult(default!);
        }
        else
        {
            TrySetException(new InvalidCastException(
                $"Actor type '{typeName}' replied with {reply?.GetType().Name ?? "null"}, but the Ask expected {typeof(TReply).Name}."));
        }
    }

    public void Fail(Exception exception) => TrySetException(exception);
}
