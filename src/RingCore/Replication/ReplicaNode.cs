using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using RingCore.Actors;
using RingCore.Causality;
using RingCore.Claim;
using RingCore.Hashing;
using RingCore.Preference;
using RingCore.Protocol;
using RingCore.Ring;
using RingCore.Storage;
using RingCore.Transport;

namespace RingCore.Replication;

/// <summary>
/// One node's replicated key/value storage: the get/put/delete coordinator (riak_kv_get_fsm,
/// riak_kv_put_fsm, riak_kv_delete) over the annotated preference list of each key (Dynamo
/// section 4.6, sloppy quorum), and the replica side of every partition it is asked to serve
/// (riak_kv_vnode). All node-to-node traffic goes through the <see cref="ITransport"/>.
/// </summary>
/// <remarks>
/// Keys hash the way actor keys do (src/RingCore/Actors/ActorType.cs): the position of a key in a
/// bucket is <c>XxHash64(key, seed: XxHash64(bucket))</c>. Malformed messages from peers are
/// counted in <see cref="MalformedMessages"/> and dropped; they never throw out of the transport.
/// </remarks>
public sealed partial class ReplicaNode : ITransportReceiver, IAsyncDisposable
{
    private const int MaxBucketBytes = 1024;

    /// <summary>
    /// The largest value a put accepts: a quarter of <see cref="StorageLimits.MaxObjectBytes"/>,
    /// so that a few concurrent siblings of that size still fit in one stored object.
    /// </summary>
    public const int MaxValueBytes = StorageLimits.MaxObjectBytes / 4;

    private readonly RingState _ring;
    private readonly ITransport _transport;
    private readonly IVNodeStoreProvider _stores;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly int _targetN;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Task<ReplicaVNode>> _vnodes = [];
    private readonly ConcurrentDictionary<string, BucketProperties> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, PendingReply> _pending = new();
    private readonly CoordinatedPutLog _servedPuts = new();
    private PreferenceCache? _preferenceCache;
    private long _nextRequestId;
    private long _malformed;
    private long _unsentReplies;
    private bool _disposed;

    /// <summary>Creates the node and attaches it to <paramref name="transport"/>.</summary>
    /// <param name="node">This node's name: a member of <paramref name="ring"/> and <see cref="ITransport.LocalNode"/>.</param>
    /// <param name="ring">The ring that places keys.</param>
    /// <param name="transport">This node's transport; the node attaches itself as its receiver.</param>
    /// <param name="stores">Opens the store of each partition this node serves.</param>
    /// <param name="time">The clock for timeouts and last-write-wins timestamps.</param>
    /// <param name="random">Seeded source of the replica-id nonces (used under a lock).</param>
    /// <param name="defaults">The properties of buckets not configured with <see cref="ConfigureBucket"/>; <see cref="BucketProperties.Default"/> when null.</param>
    /// <param name="targetN">The ring's target_n, the largest N a bucket may use; <see cref="ClaimOptions.Default"/>'s when null.</param>
    /// <param name="scheduler">
    /// Where a request's coordinator resumes when its replies complete it; the thread pool when
    /// null. A simulation passes the single-threaded scheduler its network delivers on, so the
    /// whole cluster runs in one seeded order (DESIGN.md, testing architecture).
    /// </param>
    public ReplicaNode(string node, RingState ring, ITransport transport, IVNodeStoreProvider stores, TimeProvider time,
        Random random, BucketProperties? defaults = null, int? targetN = null, IActorScheduler? scheduler = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        if (transport.LocalNode != node)
        {
            throw new ArgumentException($"The transport belongs to '{transport.LocalNode}', not to '{node}'.", nameof(transport));
        }

        ring.RequireMember(node);
        Name = node;
        _ring = ring;
        _transport = transport;
        _stores = stores;
        _time = time;
        _random = random;
        Scheduler = scheduler ?? ThreadPoolActorScheduler.Instance;

        // Request ids start at a random point per incarnation: a restarted node does not reuse
        // the ids its previous incarnation sent, which peers' CoordinatedPutLog may remember.
        _nextRequestId = random.NextInt64(0, 1L << 62);
        IncarnationNumber = _nextRequestId;
        Incarnation = _nextRequestId.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        _targetN = Math.Min(targetN ?? ClaimOptions.Default.TargetN, ring.PartitionCount);
        Defaults = defaults ?? BucketProperties.Default;
        Defaults.Validate(_targetN);
        transport.Attach(this);
    }

    /// <summary>This node's name.</summary>
    public string Name { get; }

    /// <summary>The properties of buckets without their own.</summary>
    public BucketProperties Defaults { get; }

    /// <summary>How many malformed messages from peers this node has dropped.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>How many duplicated coordinated puts this node answered with the first serving's reply instead of a new write.</summary>
    public long RepeatedCoordinatedPuts => _servedPuts.Repeats;

    /// <summary>How many replies this node could not send (the requester left the network, or the reply was over the transport's limit).</summary>
    public long UnsentReplies => Interlocked.Read(ref _unsentReplies);

    /// <summary>Sets the properties of <paramref name="bucket"/> on this node (configure every node the same way).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range.</exception>
    public void ConfigureBucket(string bucket, BucketProperties properties)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        ArgumentNullException.ThrowIfNull(properties);
        properties.Validate(_targetN);
        _buckets[bucket] = properties;
    }

    /// <summary>Reads a key: every sibling value and the causal context (riak_kv_get_fsm).</summary>
    /// <exception cref="QuorumException">Fewer than R replicas (or PR primaries) answered within the timeout.</exception>
    public Task<GetResult> GetAsync(string bucket, ReadOnlyMemory<byte> key, QuorumOptions? options = null)
    {
        var (storeKey, partition, properties) = Route(bucket, key, options);
        return new GetCoordinator(this, Describe(bucket, key), partition, storeKey, properties, Timeout(options)).RunAsync();
    }

    /// <summary>Reads a key given as UTF-8 text.</summary>
    /// <exception cref="QuorumException">Fewer than R replicas (or PR primaries) answered within the timeout.</exception>
    public Task<GetResult> GetAsync(string bucket, string key, QuorumOptions? options = null) =>
        GetAsync(bucket, Encoding.UTF8.GetBytes(key), options);

    /// <summary>
    /// Writes a key (riak_kv_put_fsm). With the context of a read the write supersedes exactly
    /// the values that read returned; with <see cref="CausalContext.Empty"/> it supersedes
    /// nothing, so existing values stay as siblings.
    /// </summary>
    /// <returns>
    /// The causal context of the coordinator's result: it covers this write, what it superseded,
    /// and any concurrent sibling the coordinating replica already held, so the writer's next put
    /// with it supersedes this one instead of becoming its sibling, and supersedes those siblings
    /// too. A writer that must not overwrite values it has not seen uses
    /// <see cref="PutWithBodyAsync(string, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CausalContext, QuorumOptions?)"/>,
    /// which returns them.
    /// </returns>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public Task<CausalContext> PutAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CausalContext context,
        QuorumOptions? options = null) =>
        WriteAsync(bucket, key, value, context, tombstone: false, options);

    /// <summary>
    /// Writes a key like <see cref="PutAsync(string, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CausalContext, QuorumOptions?)"/>
    /// and returns the coordinating replica's result (riak's return_body): the new value and any
    /// concurrent siblings it held, with the context that covers exactly those. A writer that
    /// chains its puts sees every value its next context will supersede.
    /// </summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public async Task<GetResult> PutWithBodyAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CausalContext context,
        QuorumOptions? options = null)
    {
        var stored = await CoordinateWriteAsync(bucket, key, value, context, tombstone: false, options).ConfigureAwait(false);
        return GetResult.Of(stored, BucketOf(bucket).LastWriteWins);
    }

    /// <summary>Writes a key given as UTF-8 text; returns the coordinating replica's result (return_body).</summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public Task<GetResult> PutWithBodyAsync(string bucket, string key, ReadOnlyMemory<byte> value, CausalContext context, QuorumOptions? options = null) =>
        PutWithBodyAsync(bucket, Encoding.UTF8.GetBytes(key), value, context, options);

    /// <summary>Writes a key given as UTF-8 text; returns the causal context of the result.</summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public Task<CausalContext> PutAsync(string bucket, string key, ReadOnlyMemory<byte> value, CausalContext context, QuorumOptions? options = null) =>
        PutAsync(bucket, Encoding.UTF8.GetBytes(key), value, context, options);

    /// <summary>
    /// Deletes a key: writes a tombstone that supersedes what <paramref name="context"/> saw,
    /// then reads it back from all N replicas so the tombstone is reaped once all N primaries
    /// hold it (riak_kv_delete).
    /// </summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged the tombstone within the timeout.</exception>
    public async Task DeleteAsync(string bucket, ReadOnlyMemory<byte> key, CausalContext context, QuorumOptions? options = null)
    {
        await WriteAsync(bucket, key, ReadOnlyMemory<byte>.Empty, context, tombstone: true, options).ConfigureAwait(false);
        var n = BucketOf(bucket).N;
        _ = ReapAfterDeleteAsync(bucket, key, new QuorumOptions { R = n, PR = 0, Timeout = Timeout(options) });
    }

    /// <summary>Deletes a key given as UTF-8 text.</summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged the tombstone within the timeout.</exception>
    public Task DeleteAsync(string bucket, string key, CausalContext context, QuorumOptions? options = null) =>
        DeleteAsync(bucket, Encoding.UTF8.GetBytes(key), context, options);

    /// <summary>What this node's replica of the key's partition stores, tombstones included; null when nothing (for tests and tools).</summary>
    internal async Task<SiblingSet<ReadOnlyMemory<byte>>?> ReadReplicaAsync(string bucket, ReadOnlyMemory<byte> key)
    {
        var storeKey = StoreKey(bucket, key.Span);
        var vnode = await VNodeAsync(PartitionOf(bucket, key.Span)).ConfigureAwait(false);
        return await vnode.GetAsync(storeKey).ConfigureAwait(false);
    }

    /// <summary>The replica id this node's vnode of the key's partition writes with (for tests).</summary>
    internal async Task<ReplicaId> ReplicaIdAsync(string bucket, ReadOnlyMemory<byte> key) =>
        (await VNodeAsync(PartitionOf(bucket, key.Span)).ConfigureAwait(false)).Id;

    internal TimeProvider Time => _time;

    /// <summary>Names this incarnation of the node (seeded, so a simulation replays it): actor activation ids include it.</summary>
    internal string Incarnation { get; }

    /// <summary>The seeded random number behind <see cref="Incarnation"/>: where the actor runtime starts its request ids, so a restart does not reuse them.</summary>
    internal long IncarnationNumber { get; }

    internal IActorScheduler Scheduler { get; }

    internal RingState Ring => _ring;

    /// <summary>The annotated preference list of a partition over the members this node can reach (and itself).</summary>
    internal (string Member, bool Primary)[] PreferenceList(int partition, int n, out string[] primaries)
    {
        var members = _ring.Members;
        var up = new bool[members.Length];
        var key = new StringBuilder().Append(n).Append(':');
        for (int i = 0; i < members.Length; i++)
        {
            up[i] = members[i].Name == Name || _transport.IsReachable(members[i].Name);
            key.Append(up[i] ? '1' : '0');
        }

        string cacheKey = key.ToString();
        var cached = Volatile.Read(ref _preferenceCache);
        AnnotatedPreferenceTable table;
        if (cached is not null && cached.Key == cacheKey)
        {
            table = cached.Table;
        }
        else
        {
            // Up/down changes are rare next to requests, so one cached table serves them.
            table = AnnotatedPreferenceTable.Build(_ring, n, up);
            Volatile.Write(ref _preferenceCache, new PreferenceCache(cacheKey, table));
        }

        var entries = table.ForPartition(partition);
        var list = new (string, bool)[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            list[i] = (members[entries[i].Member].Name, entries[i].IsPrimary);
        }

        primaries = new string[n];
        for (int i = 0; i < n; i++)
        {
            primaries[i] = members[_ring.OwnerOf((partition + i) % _ring.PartitionCount)].Name;
        }

        return list;
    }

    internal long NextTimestamp() => _time.GetUtcNow().UtcTicks;

    private async Task<CausalContext> WriteAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CausalContext context,
        bool tombstone, QuorumOptions? options) =>
        CausalContext.Encode((await CoordinateWriteAsync(bucket, key, value, context, tombstone, options).ConfigureAwait(false)).Join());

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
        var op = tombstone ? "Delete" : "Put";
        return await new PutCoordinator(this, $"{op} ({Describe(bucket, key)})", partition, storeKey, properties, Timeout(options), clientWrite)
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
    }

    private (byte[] StoreKey, int Partition, BucketProperties Properties) Route(string bucket, ReadOnlyMemory<byte> key, QuorumOptions? options)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        var storeKey = StoreKey(bucket, key.Span);
        var properties = (options ?? new QuorumOptions()).Apply(BucketOf(bucket), _targetN);
        return (storeKey, PartitionOf(bucket, key.Span), properties);
    }

    private BucketProperties BucketOf(string bucket) => _buckets.GetValueOrDefault(bucket) ?? Defaults;

    /// <summary>The properties of <paramref name="bucket"/> on this node (an actor type's quorums are its bucket's).</summary>
    internal BucketProperties PropertiesOf(string bucket) => BucketOf(bucket);

    /// <summary>Whether this node believes it can reach <paramref name="member"/> (itself always).</summary>
    internal bool CanReach(string member) => member == Name || _transport.IsReachable(member);

    private static TimeSpan Timeout(QuorumOptions? options) => options?.Timeout ?? QuorumOptions.DefaultTimeout;

    private int PartitionOf(string bucket, ReadOnlySpan<byte> key) =>
        _ring.PartitionOf(KeyPosition.Of(Encoding.UTF8.GetBytes(bucket), key)); // as actor types and ringctl locate --bucket

    /// <summary>The store key: <c>[0x01][bucket length, u16 LE][bucket UTF-8][key]</c>; the prefix keeps user keys apart from reserved ones.</summary>
    private static byte[] StoreKey(string bucket, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        if (key.IsEmpty)
        {
            throw new ArgumentException("A key must not be empty.", nameof(key));
        }

        int bucketBytes = Encoding.UTF8.GetByteCount(bucket);
        if (bucketBytes > MaxBucketBytes)
        {
            throw new ArgumentException($"A bucket name must be at most {MaxBucketBytes} UTF-8 bytes (got {bucketBytes}).", nameof(bucket));
        }

        int length = 1 + sizeof(ushort) + bucketBytes + key.Length;
        if (length > StorageLimits.MaxKeyBytes)
        {
            throw new ArgumentException($"Bucket and key together must be under {StorageLimits.MaxKeyBytes} bytes (got {length}).", nameof(key));
        }

        var bytes = new byte[length];
        bytes[0] = ReplicaVNode.UserKeyPrefix;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1), (ushort)bucketBytes);
        Encoding.UTF8.GetBytes(bucket, bytes.AsSpan(1 + sizeof(ushort)));
        key.CopyTo(bytes.AsSpan(1 + sizeof(ushort) + bucketBytes));
        return bytes;
    }

    private static string Describe(string bucket, ReadOnlyMemory<byte> key)
    {
        try
        {
            return $"{bucket}/{new UTF8Encoding(false, true).GetString(key.Span)}";
        }
        catch (DecoderFallbackException)
        {
            return $"{bucket}/0x{Convert.ToHexString(key.Span)}";
        }
    }

    private Task<ReplicaVNode> VNodeAsync(int partition)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_vnodes.TryGetValue(partition, out var vnode) || vnode.IsFaulted)
            {
                uint nonce;
                lock (_random)
                {
                    nonce = (uint)_random.NextInt64(0, 1L << 32);
                }

                vnode = StartVNodeAsync(partition, nonce);
                _vnodes[partition] = vnode;
            }

            return vnode;
        }
    }

    private async Task<ReplicaVNode> StartVNodeAsync(int partition, uint nonce)
    {
        var store = await _stores.OpenAsync(partition).ConfigureAwait(false);
        return await ReplicaVNode.StartAsync(Name, store, nonce).ConfigureAwait(false);
    }

    private sealed record PreferenceCache(string Key, AnnotatedPreferenceTable Table);

    private sealed record PendingReply(IReplicaReplyHandler Handler, int Index, string Member);
}
