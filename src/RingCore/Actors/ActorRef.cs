using System.Text;

namespace RingCore.Actors;

/// <summary>
/// A reference to the actor of one type and key, valid anywhere in the process. The actor need
/// not be active: the first message activates it on its partition's vnode.
/// </summary>
public readonly struct ActorRef
{
    private readonly IActorDispatcher _dispatcher;
    private readonly ActorAddress _address;

    internal ActorRef(IActorDispatcher dispatcher, ActorAddress address)
    {
        _dispatcher = dispatcher;
        _address = address;
    }

    internal ActorAddress? Address => _address;

    /// <summary>The actor's type name.</summary>
    public string TypeName => _address.Type.Name;

    /// <summary>The actor's key.</summary>
    public ReadOnlyMemory<byte> Key => _address.Key;

    /// <summary>The key's 64-bit ring position (its partition is the top log2 Q bits).</summary>
    public ulong Position => _address.Position;

    /// <summary>Sends <paramref name="message"/> without waiting for it to be handled.</summary>
    /// <exception cref="ArgumentException">The actor type has no handler for the message's type.</exception>
    public void Tell(object message)
    {
        CheckHandled(message);
        Send(Envelope.Tell(message));
    }

    /// <summary>
    /// Sends <paramref name="message"/> and waits for the handler's reply. A handler that throws
    /// fails the Ask with its exception; the actor keeps its previous state and goes on serving.
    /// Await the result once, like any <see cref="ValueTask{TResult}"/>: its source is pooled.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="timeout">How long to wait; null for the node's default, <see cref="Timeout.InfiniteTimeSpan"/> for no limit. On timeout the Ask fails with <see cref="TimeoutException"/> (the message may still be handled later).</param>
    /// <param name="cancellationToken">Cancels the wait (not the handling): the Ask fails with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is zero or negative (other than infinite).</exception>
    public ValueTask<TReply> Ask<TReply>(object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        CheckHandled(message);
        var wait = timeout ?? _dispatcher.DefaultAskTimeout;
        if (wait != Timeout.InfiniteTimeSpan && (wait <= TimeSpan.Zero || wait > Runtime.TimerLimits.MaxDueTime))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), wait,
                $"An Ask's timeout must be positive and at most {Runtime.TimerLimits.MaxDueTimeText}, or Timeout.InfiniteTimeSpan.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TReply>(cancellationToken);
        }

        var reply = AskReply<TReply>.Rent();
        int token = reply.Start(_address.Type, _address.Key, wait, _dispatcher.Time, cancellationToken);
        try
        {
            Send(new Envelope(message, reply, token, EnvelopeKind.User));
        }
        catch
        {
            reply.Abandon(token);
            throw;
        }

        return reply.AsValueTask();
    }

    /// <inheritdoc />
    public override string ToString() => $"{_address.Type.Name}/{Encoding.UTF8.GetString(_address.Key)}";

    // Straight to the activation the last message reached while it lives; routed otherwise.
    private void Send(in Envelope envelope)
    {
        var activation = _address.Activation;
        if (activation is null || !activation.TryEnqueue(envelope))
        {
            _dispatcher.Deliver(_address, envelope);
        }
    }

    private void CheckHandled(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_dispatcher is null)
        {
            throw new InvalidOperationException("This ActorRef is default; get one from RingNode.GetActor.");
        }

        if (!_address.Type.Handles(message.GetType()))
        {
            throw new ArgumentException($"Actor type '{_address.Type.Name}' has no handler for {message.GetType().Name}.", nameof(message));
        }
    }
}
