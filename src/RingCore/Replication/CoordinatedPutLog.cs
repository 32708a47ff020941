using System.Diagnostics;
using RingCore.Hashing;
using RingCore.Protocol;

namespace RingCore.Replication;

/// <summary>
/// The coordinated puts a node served recently, by (sender, request id), so a copy of one that
/// the network duplicated gets the first serving's reply instead of a second new dot. A second
/// <c>SiblingSet.Update</c> of the same client write would store the value twice under two dots:
/// a sibling nobody wrote (the "sibling explosion" of retried writes that dotted version vectors
/// exist to prevent, Preguica et al.; riak_kv_vnode answers a repeated put by its request id too).
/// </summary>
/// <remarks>
/// Bounded: past <see cref="Capacity"/> requests the oldest is forgotten, so a duplicate that
/// arrives later than that many coordinated puts is served again. Replica puts need no log (a
/// dvvset sync of a set already held changes nothing) and neither do reaps (the second finds the
/// key gone, or changed, and does nothing). Each entry also keeps a fingerprint of the request:
/// a sender that restarted may reuse a request id, and a different request under a remembered
/// id is served as new.
/// </remarks>
internal sealed class CoordinatedPutLog
{
    /// <summary>Requests remembered: a few seconds of coordinated puts on a busy node, far longer than a simulated network holds a duplicate.</summary>
    public const int DefaultCapacity = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Sender, ulong RequestId), Entry> _entries = [];
    private readonly Queue<(string Sender, ulong RequestId)> _order = new();
    private long _repeats;

    public CoordinatedPutLog(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>How many repeated requests were answered from the log.</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>
    /// The earlier serving of this request, or null after recording <paramref name="serving"/> as
    /// its serving (the caller then completes it with the reply, even an error reply).
    /// </summary>
    public Task<ReplicaMessage>? Begin(string sender, PutRequest request, ulong requestId, TaskCompletionSource<ReplicaMessage> serving)
    {
        ulong fingerprint = Fingerprint(request);
        var key = (sender, requestId);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var earlier))
            {
                if (earlier.Fingerprint == fingerprint)
                {
                    _repeats++;
                    return earlier.Reply;
                }

                // The same id for another write: a restarted sender. Serve it; its place in the order stays.
                _entries[key] = new Entry(fingerprint, serving.Task);
                return null;
            }

            _entries.Add(key, new Entry(fingerprint, serving.Task));
            _order.Enqueue(key);
            if (_order.Count > Capacity)
            {
                _entries.Remove(_order.Dequeue());
            }

            Debug.Assert(_entries.Count == _order.Count, "every remembered request is in the eviction order exactly once");
            return null;
        }
    }

    private static ulong Fingerprint(PutRequest request)
    {
        ulong seed = request.Partition | (request.LastWriteWins ? 1UL << 32 : 0);
        return XxHash64.Hash(request.Siblings.Span, XxHash64.Hash(request.Key.Span, seed));
    }

    private readonly record struct Entry(ulong Fingerprint, Task<ReplicaMessage> Reply);
}
