using System.Text;
using System.Threading.Tasks.Sources;

namespace RingCore.Actors;

/// <summary>
/// The pending reply of one Ask: a pooled <see cref="IValueTaskSource{TResult}"/> with its own
/// reusable timer, so an Ask allocates nothing in steady state (docs/architecture.md, rules for contributors, after
/// System.Threading.Channels' reusable sources). Continuations run asynchronously, so a caller's
/// code never runs inside the actor's turn.
/// </summary>
/// <remarks>
/// <para>Three parties may end an Ask: the actor's reply, the timer and the cancellation token.
/// The first to flip <c>_state</c> from "running, generation g" to "ended, generation g" wins; the
/// others lose the compare-exchange and do nothing. Each Ask gets a new generation, and the reply
/// carries it as its token, so a reply arriving after a timeout cannot complete a later Ask that
/// reuses this object.</para>
/// <para>A timer tick armed for an earlier Ask is harmless: a tick ends the current Ask only once
/// that Ask's own wait has elapsed. The cancellation registration is disposed (which waits for a
/// running callback) before the object goes back to the pool.</para>
/// </remarks>
internal sealed class AskReply<TReply> : IValueTaskSource<TReply>, IReplySink
{
    // Per reply type; enough for the concurrent Asks of a busy process, past it the GC takes them.
    private const int SharedLimit = 1024;

    private static readonly TimerCallback OnTimer = static state => ((AskReply<TReply>)state!).TimeOut();
    private static readonly Action<object?, CancellationToken> OnCanceled =
        static (state, token) => ((AskReply<TReply>)state!).Cancel(token);

    private ManualResetValueTaskSourceCore<TReply> _core = new() { RunContinuationsAsynchronously = true };
    private long _state; // generation << 1, plus 1 once the Ask ended
    private int _generation;
    private ActorType? _type;
    private byte[]? _key;
    private TimeSpan _wait;
    private long _started;
    private TimeProvider? _clock;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    private AskReply()
    {
    }

    public static AskReply<TReply> Rent() => ThreadCachedPool<AskReply<TReply>>.TryRent() ?? new AskReply<TReply>();

    /// <summary>Starts an Ask to (<paramref name="type"/>, <paramref name="key"/>); returns the token its reply must carry.</summary>
    public int Start(ActorType type, byte[] key, TimeSpan wait, TimeProvider clock, CancellationToken cancellationToken)
    {
        int token = ++_generation & int.MaxValue;
        _type = type;
        _key = key;
        _wait = wait;
        _started = clock.GetTimestamp();
        Volatile.Write(ref _state, (long)token << 1);

        if (wait != Timeout.InfiniteTimeSpan)
        {
            if (_timer is null || !ReferenceEquals(_clock, clock))
            {
                _timer?.Dispose();
                using (ExecutionContext.SuppressFlow()) // the pooled timer must not keep its first caller's context
                {
                    _timer = clock.CreateTimer(OnTimer, this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                _clock = clock;
            }

            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(OnCanceled, this);
        }

        return token;
    }

    /// <summary>The Ask's outcome, to hand to the caller once.</summary>
    public ValueTask<TReply> AsValueTask() => new(this, _core.Version);

    /// <summary>Ends an Ask whose message could not be delivered; the caller gets the delivery's exception instead.</summary>
    public void Abandon(int token)
    {
        TryEnd(token);
        Release();
    }

    public void Complete(int token, object? reply)
    {
        if (!TryEnd(token))
        {
            return; // timed out or cancelled already
        }

        if (reply is TReply typed)
        {
            _core.SetResult(typed);
        }
        else if (reply is null && default(TReply) is null)
        {
            _core.SetResult(default!);
        }
        else
        {
            _core.SetException(new InvalidCastException(
                $"Actor type '{_type!.Name}' replied with {reply?.GetType().Name ?? "null"}, but the Ask expected {typeof(TReply).Name}."));
        }
    }

    public void Fail(int token, Exception exception)
    {
        if (TryEnd(token))
        {
            _core.SetException(exception);
        }
    }

    TReply IValueTaskSource<TReply>.GetResult(short token)
    {
        if (token != _core.Version)
        {
            throw new InvalidOperationException("An Ask's ValueTask was awaited twice or after it was consumed.");
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<TReply>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<TReply>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private bool TryEnd(int token)
    {
        long running = (long)token << 1;
        return Interlocked.CompareExchange(ref _state, running | 1, running) == running;
    }

    private void TimeOut()
    {
        long state = Volatile.Read(ref _state);
        if ((state & 1) != 0 || _clock!.GetElapsedTime(_started) < _wait)
        {
            return; // ended, or a tick armed for an earlier Ask of this pooled object
        }

        var (type, key, wait) = (_type, _key, _wait);
        if (Volatile.Read(ref _state) != state || type is null || key is null)
        {
            return;
        }

        Fail((int)(state >> 1), new TimeoutException(
            $"Ask to {type.Name} '{Encoding.UTF8.GetString(key)}' got no reply within {wait.TotalMilliseconds:0} ms."));
    }

    private void Cancel(CancellationToken cancellationToken)
    {
        long state = Volatile.Read(ref _state);
        if ((state & 1) == 0)
        {
            Fail((int)(state >> 1), new OperationCanceledException("The Ask was cancelled; the message may still be handled.", cancellationToken));
        }
    }

    private void Release()
    {
        // The timer stays armed: the next Ask re-arms it anyway (one timer-queue operation per
        // Ask instead of two), and a tick that still comes finds no running Ask to end.
        _cancellation.Dispose(); // waits for a cancellation callback that is running now
        _cancellation = default;
        _type = null;
        _key = null;
        _core.Reset();
        if (!ThreadCachedPool<AskReply<TReply>>.Return(this, SharedLimit))
        {
            _timer?.Dispose();
        }
    }
}
