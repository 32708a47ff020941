using System.Buffers;
using System.Text;
using RingCore.Causality;
using RingCore.Replication;

namespace RingCore.Node;

/// <summary>The replicated store side of <see cref="RingNode"/>: get, put and delete with siblings and causal contexts (riak_kv's client API).</summary>
public sealed partial class RingNode
{
    /// <summary>The largest value a put accepts: a quarter of the stored object limit, so a few concurrent siblings of that size still fit.</summary>
    public const int MaxValueBytes = ReplicationService.MaxValueBytes;

    /// <summary>Sets the properties of <paramref name="bucket"/> on this node (configure every node the same way; an actor type's state lives in the bucket of its name).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of range.</exception>
    public void ConfigureBucket(string bucket, BucketProperties properties) => _replication.ConfigureBucket(bucket, properties);

    /// <summary>Reads a key: every sibling value and the causal context (riak_kv_get_fsm).</summary>
    /// <exception cref="QuorumException">Fewer than R replicas (or PR primaries) answered within the timeout.</exception>
    public Task<GetResult> GetAsync(string bucket, ReadOnlyMemory<byte> key, QuorumOptions? options = null)
    {
        ThrowIfStopped();
        return Measure("get", _replication.GetAsync(bucket, key, options));
    }

    /// <summary>Reads a key given as UTF-8 text.</summary>
    /// <exception cref="QuorumException">Fewer than R replicas (or PR primaries) answered within the timeout.</exception>
    public Task<GetResult> GetAsync(string bucket, string key, QuorumOptions? options = null)
    {
        // The key is encoded into a pooled buffer: the request copies it into its store key
        // before GetAsync returns, and never reads the caller's bytes again.
        var (bytes, length) = Utf8(key);
        try
        {
            return GetAsync(bucket, bytes.AsMemory(0, length), options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

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
        QuorumOptions? options = null)
    {
        CheckWritable(bucket);
        return Measure("put", _replication.PutAsync(bucket, key, value, context, tombstone: false, options));
    }

    /// <summary>Writes a key given as UTF-8 text; returns the causal context of the result.</summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public Task<CausalContext> PutAsync(string bucket, string key, ReadOnlyMemory<byte> value, CausalContext context, QuorumOptions? options = null)
    {
        var (bytes, length) = Utf8(key); // as in GetAsync: copied into the store key before PutAsync returns
        try
        {
            return PutAsync(bucket, bytes.AsMemory(0, length), value, context, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Writes a key like <see cref="PutAsync(string, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, CausalContext, QuorumOptions?)"/>
    /// and returns the coordinating replica's result (riak's return_body): the new value and any
    /// concurrent siblings it held, with the context that covers exactly those. A writer that
    /// chains its puts sees every value its next context will supersede.
    /// </summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public Task<GetResult> PutWithBodyAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CausalContext context,
        QuorumOptions? options = null)
    {
        CheckWritable(bucket);
        return Measure("put", _replication.PutWithBodyAsync(bucket, key, value, context, options));
    }

    /// <summary>Writes a key given as UTF-8 text; returns the coordinating replica's result (return_body).</summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged within the timeout.</exception>
    public Task<GetResult> PutWithBodyAsync(string bucket, string key, ReadOnlyMemory<byte> value, CausalContext context, QuorumOptions? options = null) =>
        PutWithBodyAsync(bucket, Encoding.UTF8.GetBytes(key), value, context, options);

    /// <summary>
    /// Deletes a key: writes a tombstone that supersedes what <paramref name="context"/> saw,
    /// then reads it back from all N replicas so the tombstone is reaped once all N primaries
    /// hold it (riak_kv_delete).
    /// </summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged the tombstone within the timeout.</exception>
    public Task DeleteAsync(string bucket, ReadOnlyMemory<byte> key, CausalContext context, QuorumOptions? options = null)
    {
        CheckWritable(bucket);
        return Measure("delete", _replication.DeleteAsync(bucket, key, context, options));
    }

    /// <summary>Deletes a key given as UTF-8 text.</summary>
    /// <exception cref="QuorumException">Fewer than W replicas (or PW primaries) acknowledged the tombstone within the timeout.</exception>
    public Task DeleteAsync(string bucket, string key, CausalContext context, QuorumOptions? options = null) =>
        DeleteAsync(bucket, Encoding.UTF8.GetBytes(key), context, options);

    /// <summary>What this node's replica of the key's partition stores, tombstones included; null when nothing (for tests and tools).</summary>
    internal Task<SiblingSet<ReadOnlyMemory<byte>>?> ReadReplicaAsync(string bucket, ReadOnlyMemory<byte> key) =>
        _replication.ReadReplicaAsync(bucket, key);

    /// <summary>The replica id this node's vnode of the key's partition writes with (for tests).</summary>
    internal Task<ReplicaId> ReplicaIdAsync(string bucket, ReadOnlyMemory<byte> key) => _replication.ReplicaIdAsync(bucket, key);

    private void ThrowIfStopped() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>
    /// An actor type's state lives in the bucket of its name; a client's write there would replace
    /// the state under the actor (and a value that is not its serialized state bricks it), so only
    /// the actor writes it. Reading it with <see cref="GetAsync(string, string, QuorumOptions?)"/> is fine.
    /// </summary>
    private void CheckWritable(string bucket)
    {
        ThrowIfStopped();
        if (bucket is not null && _actors.Find(bucket) is not null)
        {
            throw new ArgumentException(
                $"Bucket '{bucket}' holds the state of actor type '{bucket}': only its actors write it. Send the actor a message instead (reading the bucket is fine).",
                nameof(bucket));
        }
    }

    /// <summary>The UTF-8 bytes of <paramref name="key"/> in a buffer rented from the shared pool (the caller returns it).</summary>
    private static (byte[] Buffer, int Length) Utf8(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetMaxByteCount(key.Length)));
        return (buffer, Encoding.UTF8.GetBytes(key, buffer));
    }

    /// <summary>Counts a request by kind and outcome when it ends; the task itself is returned as it is, so a caller awaits the same one.</summary>
    private Task<T> Measure<T>(string kind, Task<T> request)
    {
        Measure(kind, (Task)request);
        return request;
    }

    private Task Measure(string kind, Task request)
    {
        if (!_metrics.Requests.Enabled)
        {
            return request;
        }

        _ = request.ContinueWith(static (done, state) =>
        {
            var (metrics, kind) = ((Diagnostics.RingCoreMetrics, string))state!;
            metrics.Request(kind, Outcome(done));
        }, (_metrics, kind), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return request;
    }

    private static string Outcome(Task done) => done.Status switch
    {
        TaskStatus.RanToCompletion => "ok",
        _ when done.Exception?.InnerException is QuorumException => "quorum_failed",
        _ => "error",
    };
}
