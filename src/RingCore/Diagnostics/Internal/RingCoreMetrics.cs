using System.Diagnostics.Metrics;

namespace RingCore.Diagnostics;

/// <summary>
/// The instruments of the <c>RingCore</c> meter (System.Diagnostics.Metrics), one set per node.
/// Every measurement carries the node's name as <c>ringcore.node</c>, so one listener can tell
/// the nodes of an in-process cluster apart.
/// </summary>
/// <remarks>
/// The meter comes from the host's <see cref="IMeterFactory"/> when it has one (so
/// OpenTelemetry's <c>AddMeter("RingCore")</c> and Microsoft.Extensions.Diagnostics.Testing's
/// MetricCollector see it); otherwise the node creates its own meter and disposes it when it
/// stops. Recording on an instrument nobody listens to costs one branch, so the hot paths
/// record unconditionally except where building the tags costs more than that.
/// </remarks>
internal sealed class RingCoreMetrics : IDisposable
{
    /// <summary>The meter's name: what a listener subscribes to.</summary>
    public const string MeterName = "RingCore";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _node;

    /// <summary>Creates the instruments for node <paramref name="node"/> on a meter from <paramref name="meterFactory"/>, or on a meter of its own when that is null.</summary>
    public RingCoreMetrics(string node, IMeterFactory? meterFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node);
        Node = node;
        _node = new KeyValuePair<string, object?>("ringcore.node", node);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Requests = _meter.CreateCounter<long>("ringcore.requests", "{request}", "Client requests by kind (get, put, delete, ask, tell) and outcome (ok, quorum_failed, error).");
        QuorumFailures = _meter.CreateCounter<long>("ringcore.quorum.failures", "{request}", "Gets and puts that did not reach R or W (PR or PW) in time.");
        CoordinatorRetries = _meter.CreateCounter<long>("ringcore.put.coordinator_retries", "{put}", "Puts whose first coordinator did not answer in half their timeout, so the next replica coordinated them (riak's retry_put_coordinator_failure).");
        ReadRepairs = _meter.CreateCounter<long>("ringcore.read_repairs", "{object}", "Replicas a get found stale and sent the merged object.");
        Siblings = _meter.CreateHistogram<long>("ringcore.siblings", "{value}", "Sibling values a get returned (1: no conflict).");
        Activations = _meter.CreateCounter<long>("ringcore.actor.activations", "{activation}", "Actors activated (state loaded).");
        Passivations = _meter.CreateCounter<long>("ringcore.actor.passivations", "{activation}", "Actors passivated (state stored, mailbox closed).");
        MailboxDepth = _meter.CreateHistogram<long>("ringcore.actor.mailbox.depth", "{message}", "Messages an actor's turn found waiting (a turn handles at most the turn limit).");
        Malformed = _meter.CreateCounter<long>("ringcore.peer.malformed", "{message}", "Messages from peers that could not be parsed or named nothing known: dropped, or answered with an error.");
        Duplicates = _meter.CreateCounter<long>("ringcore.peer.duplicates", "{message}", "Requests from peers seen before (the network duplicated them): not served again.");
        UnsentReplies = _meter.CreateCounter<long>("ringcore.peer.unsent_replies", "{message}", "Replies that could not be sent (the asker left the network, or the reply was over the limit).");
        FailedMessages = _meter.CreateCounter<long>("ringcore.actor.failed_messages", "{message}", "Actor messages that failed (the handler threw, or the state could not be stored), by actor type and kind (ask, tell).");
        StoreErrors = _meter.CreateCounter<long>("ringcore.store.errors", "{error}", "Reads and writes of a vnode's store that failed.");
        HandoffObjects = _meter.CreateCounter<long>("ringcore.handoff.objects", "{object}", "Objects this node handed to another (ownership transfers, repairs and hints), counted when the receiver acknowledged them.");
        HandoffBytes = _meter.CreateCounter<long>("ringcore.handoff.bytes", "By", "Bytes of keys and values this node handed to another, counted when the receiver acknowledged them.");
        TransfersCompleted = _meter.CreateCounter<long>("ringcore.handoff.transfers_completed", "{transfer}", "Ownership transfers and repairs this node finished sending.");
        TransfersFailed = _meter.CreateCounter<long>("ringcore.handoff.transfers_failed", "{transfer}", "Ownership transfers and repairs cut by a failure (each starts again later from the start).");
        NodesDown = _meter.CreateCounter<long>("ringcore.membership.node_down", "{event}", "Times this node's failure detector marked a peer down (its phi reached the threshold), by peer.");
        NodesUp = _meter.CreateCounter<long>("ringcore.membership.node_up", "{event}", "Times this node's failure detector marked a peer that was down up again (a heartbeat arrived), by peer.");
        Exchanges = _meter.CreateCounter<long>("ringcore.aae.exchanges", "{exchange}", "Anti-entropy exchanges this node started, by outcome (equal, repaired, skipped, failed).");
        KeysRepaired = _meter.CreateCounter<long>("ringcore.aae.keys_repaired", "{key}", "Keys an anti-entropy exchange this node started found different and wrote on either side.");
        ExchangeBytes = _meter.CreateCounter<long>("ringcore.aae.bytes", "By", "Bytes of the requests and replies of the anti-entropy exchanges this node started.");
        TreesBuilt = _meter.CreateCounter<long>("ringcore.aae.trees_built", "{build}", "Vnodes whose Merkle trees were built from a fold of their store (at start and on the rebuild interval).");
        CorruptObjects = _meter.CreateCounter<long>("ringcore.store.corrupt_objects", "{object}", "Stored objects that failed to decode (bit rot): read as absent and repaired from their peers.");
        RingSaveFailures = _meter.CreateCounter<long>("ringcore.ring.save_failures", "{failure}", "Rings this node could not write to its ring file (RingNodeOptions.RingFile); a restart may start from an older ring.");
    }

    /// <summary>The node whose measurements these are.</summary>
    public string Node { get; }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter => _meter;

    internal Counter<long> Requests { get; }

    internal Counter<long> QuorumFailures { get; }

    internal Counter<long> ReadRepairs { get; }

    internal Counter<long> CoordinatorRetries { get; }

    internal Histogram<long> Siblings { get; }

    internal Counter<long> Activations { get; }

    internal Counter<long> Passivations { get; }

    internal Histogram<long> MailboxDepth { get; }

    internal Counter<long> Malformed { get; }

    internal Counter<long> Duplicates { get; }

    internal Counter<long> UnsentReplies { get; }

    internal Counter<long> StoreErrors { get; }

    internal Counter<long> HandoffObjects { get; }

    internal Counter<long> HandoffBytes { get; }

    internal Counter<long> TransfersCompleted { get; }

    internal Counter<long> TransfersFailed { get; }

    internal Counter<long> FailedMessages { get; }

    internal Counter<long> NodesDown { get; }

    internal Counter<long> NodesUp { get; }

    internal Counter<long> Exchanges { get; }

    internal Counter<long> KeysRepaired { get; }

    internal Counter<long> ExchangeBytes { get; }

    internal Counter<long> TreesBuilt { get; }

    internal Counter<long> CorruptObjects { get; }

    internal Counter<long> RingSaveFailures { get; }

    internal void Request(string kind, string outcome)
    {
        if (Requests.Enabled)
        {
            Requests.Add(1, _node, new("ringcore.kind", kind), new("ringcore.outcome", outcome));
        }
    }

    internal void Count(Counter<long> counter, long value = 1) => counter.Add(value, _node);

    internal void Count(Counter<long> counter, string kind)
    {
        if (counter.Enabled)
        {
            counter.Add(1, _node, new("ringcore.kind", kind));
        }
    }

    /// <summary>Counts one event about peer <paramref name="peer"/> (tagged <c>ringcore.peer</c>).</summary>
    internal void CountPeer(Counter<long> counter, string peer)
    {
        if (counter.Enabled)
        {
            counter.Add(1, _node, new("ringcore.peer", peer));
        }
    }

    internal void FailedMessage(string actorType, bool asked)
    {
        if (FailedMessages.Enabled)
        {
            FailedMessages.Add(1, _node, new("ringcore.actor_type", actorType), new("ringcore.kind", asked ? "ask" : "tell"));
        }
    }

    internal void Record(Histogram<long> histogram, long value) => histogram.Record(value, _node);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
