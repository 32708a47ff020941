namespace RingCore.Actors;

/// <summary>A message an actor could not handle, as its type's failure handler sees it (<see cref="ActorTypeBuilder{TState}.OnFailure"/>).</summary>
public sealed class ActorMessageFailure
{
    internal ActorMessageFailure(string actorType, string key, object message, Exception exception, bool asked)
    {
        ActorType = actorType;
        Key = key;
        Message = message;
        Exception = exception;
        Asked = asked;
    }

    /// <summary>The actor type's name.</summary>
    public string ActorType { get; }

    /// <summary>The actor's key, as text (UTF-8 decoded).</summary>
    public string Key { get; }

    /// <summary>The message that failed.</summary>
    public object Message { get; }

    /// <summary>Why it failed: the handler's exception, or the serializer's or the store's.</summary>
    public Exception Exception { get; }

    /// <summary>True for an Ask, whose caller got the exception too; false for a Tell or a timer tick, which no one else hears of.</summary>
    public bool Asked { get; }
}
