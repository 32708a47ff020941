using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using RingCore.Causality;
using RingCore.Diagnostics;
using RingCore.Hashing;
using RingCore.Membership;
using RingCore.Protocol;
using RingCore.Runtime;
using RingCore.Storage;
using RingCore.Transport;
using RingCore.VNodes;

namespace RingCore.Replication;

/// <summary>
/// One node's replicated key/value storage: the get/put/delete coordinator (riak_kv_get_fsm,
/// riak_kv_put_fsm, riak_kv_delete) over the annotated preference list of each key (Dynamo
/// section 4.6, sloppy quorum), and the replica side of every partition it is asked to serve
/// (riak_kv_vnode, through the node's <see cref="VNode"/>s). All node-to-node traffic goes
/// through the node's <see cref="PeerRpc"/>.
/// </summary>
/// <remarks>
/// The position of a key in a bucket is <c>XxHash64(key, seed: XxHash64(bucket))</c>
/// (Hashing/KeyPosition), the way actor keys hash with their type's name. Each request takes
/// the node's current <see cref="RoutingView"/> once and routes by it to the end.
/// </remarks>
internal sealed partial class ReplicationService : IPeerService
{
    /// <summary>
    /// The largest value a put accepts: a quarter of <see cref="StorageLimits.MaxObjectBytes"/>,
    /// so that a few concurrent siblings of that size still fit in one stored object.
    /// </summary>
    public const int MaxValueBytes = StorageLimits.MaxObjectBytes / 4;

    private readonly RingManager _routing;
    private readonly PeerRpc _rpc;
    private readonly VNodeTable _vnodes;
    private readonly int _targetN;
    private readonly ConcurrentDictionary<string, BucketState> _buckets = new(StringComparer.Ordinal);
    private int _unconfigured; // buckets in _buckets that only cache a seed (bounded by SeedCacheLimit)
    private LastBucket? _last; // the bucket of the last request, found by reference: most callers pass the same string
    private long _configured; // moves on every ConfigureBucket, so a remembered bucket is never stale
    private volatile bool _stopped;
    private int _smallestN; // the smallest N of the defaults and every bucket configured (it only goes down)

    /// <summary>How many unconfigured buckets' hash seeds are remembered (past it, a seed is hashed per request).</summary>
    private const int SeedCacheLimit = 4096;

    public ReplicationService(string node, RingManager routing, PeerRpc rpc, VNodeTable vnodes, TimeProvider time, IWorkScheduler scheduler,
        BucketProperties defaults, int targetN, RingCoreMetrics metrics, ILogger logger, bool retryPutCoordinator = false)
    {
        RetryPutCoordinator = retryPutCoordinator;
        Name = node;
        _routing = routing;
        _rpc = rpc;
        _vnodes = vnodes;
        Time = time;
        Scheduler = scheduler;
        _targetN = targetN;
        Metrics = metrics;
        Logger = logger;
        defaults.Validate(_targetN);
        Defaults = defaults;
        _smallestN = defaults.N;
        rpc.Register(PeerFrame.BodyOneofCase.Replica, this);
    }

    /// <summary>This node's name.</summary>
    public string Name { get; }

    /// <summary>The properties of buckets without their own.</summary>
    public BucketProperties Defaults { get; }

    /// <summary>Whether a put's silent coordinator is replaced by the next replica (<see cref="ReplicationOptions.RetryPutCoordinatorFailure"/>).</summary>
    public bool RetryPutCoordinator { get; }

    public TimeProvider Time { get; }

    /// <summary>Where a request's coordinator resumes when its replies complete it (the simulation's one thread in a test).</summary>
    public IWorkScheduler Scheduler { get; }

    public RingCoreMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>The view requests route by now.</summary>
    public RoutingView Routing => _routing.Current;

    /// <summary>Sets the properties of <paramref name="bucket"/> on this node (configure every node the same way).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range.</exception>
    public void ConfigureBucket(string bucket, BucketProperties properties)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(properties);
        properties.Validate(_targetN);
        _buckets[bucket] = new BucketState(bucket, properties);
        InterlockedMin(ref _smallestN, properties.N);
        Interlocked.Increment(ref _configured); // the last request's bucket is looked up again
    }

    /// <summary>
    /// The N of the preference list a stored object belongs to: its bucket's (or actor type's)
    /// N; 0 for a key that is no replicated object's (a reserved key). While no bucket is
    /// configured this reads no bucket name and allocates nothing (the write path's Merkle-tree
    /// update calls it).
    /// </summary>
    internal int ReplicasOf(ReadOnlySpan<byte> storeKey)
    {
        if (storeKey.Length < 1 + sizeof(ushort) || storeKey[0] != VNode.UserKeyPrefix)
        {
            return 0;
        }

        if (Interlocked.Read(ref _configured) == 0)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(storeKey[1..]);
            return length > 0 && storeKey.Length > 1 + sizeof(ushort) + length ? Defaults.N : 0;
        }

        return BucketOf(storeKey) is { } bucket ? PropertiesOf(bucket).N : 0;
    }

    /// <summary>
    /// An object another node sent to be merged here as a replica put (a handoff batch, an
    /// anti-entropy repair): its key checked to be a replicated object's, its sibling set decoded
    /// and checked, and the merge its bucket uses.
    /// </summary>
    /// <exception cref="InvalidDataException">The key or the set is not one a node stores (the sender's mistake).</exception>
    internal (ReadOnlyMemory<byte> Key, SiblingSet<ReadOnlyMemory<byte>> Set,
        Func<SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>, SiblingSet<ReadOnlyMemory<byte>>> Merge) IncomingReplica(
        ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> siblings)
    {
        if (key.Length > StorageLimits.MaxKeyBytes || BucketOf(key.Span) is not { } bucket)
        {
            throw new InvalidDataException($"a key of {key.Length} bytes is not a replicated object's key");
        }

        var set = SiblingSetCodec.Decode(siblings);
        if (!SiblingMerge.IsWellFormed(set))
        {
            throw new InvalidDataException("a value is shorter than its header");
        }

        return (key, set, SiblingMerge.For(PropertiesOf(bucket).LastWriteWins));
    }

    /// <summary>Every N a bucket on this node uses: the defaults' and each configured bucket's, ascending.</summary>
    internal IReadOnlyList<int> KnownNs()
    {
        var ns = new SortedSet<int> { Defaults.N };
        foreach (var state in _buckets.Values)
        {
            if (state.Properties is { } properties)
            {
                ns.Add(properties.N);
            }
        }

        return [.. ns];
    }

    /// <summary>The properties of <paramref name="bucket"/> on this node (an actor type's quorums are its bucket's).</summary>
    public BucketProperties PropertiesOf(string bucket) => StateOf(bucket).Properties ?? Defaults;

    /// <summary>Reads a key: every sibling value and the causal context (riak_kv_get_fsm).</summary>
    public Task<GetResult> GetAsync(string bucket, ReadOnlyMemory<byte> key, QuorumOptions? options = null)
    {
        var (storeKey, partition, properties) = Route(bucket, key, options);
        return new GetCoordinator(this, new RequestName("Get", bucket, KeyOf(storeKey)), partition, storeKey, properties, Timeout(options)).RunAsync();
    }

    /// <summary>Writes a key (riak_kv_put_fsm); returns the causal context of the coordinator's result.</summary>
    public async Task<CausalContext> PutAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CausalContext context,
        bool tombstone, QuorumOptions? options) =>
        CausalContext.Encode((await CoordinateWriteAsync(bucket, key, value, context, tombstone, options).ConfigureAwait(false)).Join());

    /// <summary>Writes a key and returns the coordinating replica's result (riak's return_body).</summary>
    public async Task<GetResult> PutWithBodyAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CausalContext context,
        QuorumOptions? options)
    {
        var stored = await CoordinateWriteAsync(bucket, key, value, context, tombstone: false, options).ConfigureAwait(false);
        return GetResult.Of(stored, PropertiesOf(bucket).LastWriteWins);
    }

    /// <summary>
    /// Deletes a key: writes a tombstone that supersedes what <paramref name="context"/> saw,
    /// then reads it back from all N replicas so the tombstone is reaped once all N primaries
    /// hold it (riak_kv_delete).
    /// </summary>
    public async Task DeleteAsync(string bucket, ReadOnlyMemory<byte> key, CausalContext context, QuorumOptions? options)
    {
        await PutAsync(bucket, key, ReadOnlyMemory<byte>.Empty, context, tombstone: true, options).ConfigureAwait(false);
        var n = PropertiesOf(bucket).N;
        _ = ReapAfterDeleteAsync(bucket, key, new QuorumOptions { R = n, PR = 0, Timeout = Timeout(options) });
    }

    /// <summary>What this node's replica of the key's partition stores, tombstones included; null when nothing (for tests and tools).</summary>
    public Task<SiblingSet<ReadOnlyMemory<byte>>?> ReadReplicaAsync(string bucket, ReadOnlyMemory<byte> key) =>
        _vnodes.Get(PartitionOf(Routing, bucket, key.Span)).GetAsync(StoreKey(bucket, key.Span));

    /// <summary>The replica id this node's vnode of the key's partition writes with (for tests).</summary>
    public async Task<ReplicaId> ReplicaIdAsync(string bucket, ReadOnlyMemory<byte> key) =>
        await _vnodes.Get(PartitionOf(Routing, bucket, key.Span)).IdAsync().ConfigureAwait(false);

    /// <summary>From now on coordinates and serves nothing (the node stopped or crashed).</summary>
    public void Stop() => _stopped = true;

    public long NextTimestamp() => Time.GetUtcNow().UtcTicks;

    /// <summary>Sends a replica request to <paramref name="member"/> (in process when it is this node); a null handler waits for no reply.</summary>
    /// <returns>The request id, to forget it; 0 for a request served in process.</returns>
    public ulong Dispatch(string member, ReplicaMessage request, ReplicaRequest? handler, int index)
    {
        if (member == Name)
        {
            // This node's own replica: served in process, with no frame and no pending entry,
            // and its reply handed straight to the coordinator (a late one it ignores).
            _ = ServeLocallyAsync(request, handler, index);
            return 0;
        }

        // A coordinated put served twice would record one client write under two dots; every
        // other replica request is idempotent (a read, a dvvset sync, a reap that compares).
        return _rpc.Send(member, new PeerFrame { Replica = request }, handler, index,
            atMostOnce: request.BodyCase == ReplicaMessage.BodyOneofCase.PutRequest && request.PutRequest.Coordinate);
    }

    /// <summary>Forgets a request whose reply no longer matters; a late reply is then ignored.</summary>
    public void Forget(ulong requestId) => _rpc.Forget(requestId);

    private async Task<SiblingSet<ReadOnlyMemory<byte>>> CoordinateWriteAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value,
        CausalContext context, bool tombstone, QuorumOptions? options)
    {
        var (storeKey, partition, properties) = Route(bucket, key, options);
        if (value.Length > MaxValueBytes)
        {
            throw new ArgumentException(
                $"A value must be at most {MaxValueBytes} bytes (got {value.Length}): the stored object, siblings and clock included, is limited to {StorageLimits.MaxObjectBytes}.",
                nameof(value));
        }

        var history = context.ToVersionVector();
        var stamped = ReplicaValue.Create(value.Span, NextTimestamp(), tombstone);
        var clientWrite = SiblingSet.New(history, stamped);
        var name = new RequestName(tombstone ? "Delete" : "Put", bucket, KeyOf(storeKey));
        return await new PutCoordinator(this, name, partition, storeKey, properties, Timeout(options), clientWrite)
            .RunAsync().ConfigureAwait(false);
    }

    private async Task ReapAfterDeleteAsync(string bucket, ReadOnlyMemory<byte> key, QuorumOptions options)
    {
        try
        {
            await GetAsync(bucket, key, options).ConfigureAwait(false);
        }
        catch (QuorumException)
        {
            // Not all N replicas answered: the tombstone stays until a later read sees all N primaries hold it.
        }
        catch (ObjectDisposedException)
        {
            // The node stopped meanwhile: a later read reaps it.
        }
    }

    private (byte[] StoreKey, int Partition, BucketProperties Properties) Route(string bucket, ReadOnlyMemory<byte> key, QuorumOptions? options)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        var storeKey = StoreKey(bucket, key.Span);
        // No overrides: the bucket's own properties, validated when they were configured.
        var properties = options is null ? PropertiesOf(bucket) : options.Apply(PropertiesOf(bucket), _targetN);
        return (storeKey, PartitionOf(Routing, bucket, key.Span), properties);
    }

    private static TimeSpan Timeout(QuorumOptions? options) => options?.Timeout ?? QuorumOptions.DefaultTimeout;

    /// <summary>The partition of a bucket's key in <paramref name="view"/>: the bucket's cached seed, the key's position, a shift.</summary>
    internal int PartitionOf(RoutingView view, string bucket, ReadOnlySpan<byte> key) =>
        view.Ring.PartitionOf(KeyPosition.Of(SeedOf(bucket), key)); // as actor types and ringctl locate --bucket

    private ulong SeedOf(string bucket) => StateOf(bucket).Seed;

    /// <summary>
    /// A bucket's properties (null: the defaults) and hash seed: the last request's bucket when
    /// it is the same string object (no lookup), else a lookup; an unconfigured bucket's seed is
    /// cached too, up to <see cref="SeedCacheLimit"/> of them, so a client that invents buckets
    /// cannot grow the cache without end.
    /// </summary>
    private BucketState StateOf(string bucket)
    {
        // The version is read before the lookup: a bucket configured meanwhile makes the
        // remembered one outdated at once, whatever order the writes land in.
        long configured = Interlocked.Read(ref _configured);
        var last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.State.Name, bucket) && last.Configured == configured)
        {
            return last.State;
        }

        if (!_buckets.TryGetValue(bucket, out var state))
        {
            state = new BucketState(bucket, null);
            if (Volatile.Read(ref _unconfigured) < SeedCacheLimit && _buckets.TryAdd(bucket, state))
            {
                Interlocked.Increment(ref _unconfigured);
            }
        }

        Volatile.Write(ref _last, new LastBucket(state, configured));
        return state;
    }

    /// <summary>The store key: <c>[0x01][bucket length, u16 LE][bucket UTF-8][key]</c>; the prefix keeps user keys apart from reserved ones.</summary>
    /// <summary>The key inside a store key (after the prefix, the bucket's length and the bucket).</summary>
    private static ReadOnlyMemory<byte> KeyOf(byte[] storeKey) =>
        storeKey.AsMemory(1 + sizeof(ushort) + BinaryPrimitives.ReadUInt16LittleEndian(storeKey.AsSpan(1)));

    private static void InterlockedMin(ref int location, int value)
    {
        int seen = Volatile.Read(ref location);
        while (value < seen)
        {
            int observed = Interlocked.CompareExchange(ref location, value, seen);
            if (observed == seen)
            {
                return;
            }

            seen = observed;
        }
    }

    /// <summary>The bucket named in a replicated object's store key; null when the bytes are not one (a reserved key, or malformed).</summary>
    internal static string? BucketOf(ReadOnlySpan<byte> storeKey)
    {
        if (storeKey.Length < 1 + sizeof(ushort) || storeKey[0] != VNode.UserKeyPrefix)
        {
            return null;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(storeKey[1..]);
        if (length == 0 || storeKey.Length <= 1 + sizeof(ushort) + length)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(storeKey.Slice(1 + sizeof(ushort), length));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    internal static byte[] StoreKey(string bucket, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        if (key.IsEmpty)
        {
            throw new ArgumentException("A key must not be empty.", nameof(key));
        }

        int bucketBytes = Encoding.UTF8.GetByteCount(bucket);
        if (bucketBytes > StorageLimits.MaxBucketNameBytes)
        {
            throw new ArgumentException($"A bucket name must be at most {StorageLimits.MaxBucketNameBytes} UTF-8 bytes (got {bucketBytes}).", nameof(bucket));
        }

        int length = 1 + sizeof(ushort) + bucketBytes + key.Length;
        if (length > StorageLimits.MaxKeyBytes)
        {
            throw new ArgumentException($"Bucket and key together must be under {StorageLimits.MaxKeyBytes} bytes (got {length}).", nameof(key));
        }

        var bytes = new byte[length];
        bytes[0] = VNode.UserKeyPrefix;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1), (ushort)bucketBytes);
        Encoding.UTF8.GetBytes(bucket, bytes.AsSpan(1 + sizeof(ushort)));
        key.CopyTo(bytes.AsSpan(1 + sizeof(ushort) + bucketBytes));
        return bytes;
    }

    private sealed record LastBucket(BucketState State, long Configured);

    /// <summary>A bucket: its properties (null: the node's defaults) and its hash seed, computed once.</summary>
    private sealed class BucketState(string name, BucketProperties? properties)
    {
        public string Name { get; } = name;

        public BucketProperties? Properties { get; } = properties;

        public ulong Seed { get; } = KeyPosition.SeedOf(Encoding.UTF8.GetBytes(name));
    }
}
