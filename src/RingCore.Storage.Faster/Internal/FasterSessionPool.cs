using System.Collections.Concurrent;
using FASTER.core;
using FasterSession = FASTER.core.ClientSession<byte[], byte[], byte[], byte[], FASTER.core.Empty, FASTER.core.IFunctions<byte[], byte[], byte[], byte[], FASTER.core.Empty>>;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// FASTER client sessions for one store. A session is not thread-safe, and a store is used by
/// many actors at once, so each operation rents a session and returns it when FASTER is done
/// with it. A pool rather than one session behind a lock: a read that misses memory waits for
/// disk, and with one session every other operation of the partition would wait behind it.
/// At most <see cref="MaxSessions"/> are in use at once; the rest wait for one, which bounds
/// the sessions (and FASTER's per-session state) a burst can create.
/// </summary>
internal sealed class FasterSessionPool : IDisposable
{
    public static readonly int MaxSessions = Math.Max(4, 2 * Environment.ProcessorCount);

    private readonly FasterKV<byte[], byte[]> _kv;
    private readonly SimpleFunctions<byte[], byte[]> _functions = new();
    private readonly ConcurrentBag<FasterSession> _idle = [];
    private readonly ConcurrentBag<FasterSession> _created = [];
    private readonly SemaphoreSlim _slots = new(MaxSessions, MaxSessions);

    public FasterSessionPool(FasterKV<byte[], byte[]> kv)
    {
        _kv = kv;
    }

    public ValueTask<FasterSession> RentAsync(CancellationToken cancellationToken)
    {
        return _slots.Wait(0) ? new(TakeOrCreate()) : RentSlowAsync(cancellationToken);

        async ValueTask<FasterSession> RentSlowAsync(CancellationToken cancellationToken)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return TakeOrCreate();
        }
    }

    /// <summary>Returns a session with no operation pending on it.</summary>
    public void Return(FasterSession session)
    {
        _idle.Add(session);
        _slots.Release();
    }

    /// <summary>Disposes every session; called once no operation is in flight.</summary>
    public void Dispose()
    {
        foreach (var session in _created)
        {
            session.Dispose();
        }

        _slots.Dispose();
    }

    private FasterSession TakeOrCreate()
    {
        if (_idle.TryTake(out var session))
        {
            return session;
        }

        session = _kv.NewSession<byte[], byte[], Empty>(_functions);
        _created.Add(session);
        return session;
    }
}
