using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace RingCore.TestKit;

/// <summary>
/// The <c>RingCore</c> meter of an in-process cluster, and the running totals of its counters
/// by node: every node of a <see cref="TestCluster"/> takes its meter from here, and a test asks
/// how many malformed messages n1 dropped with <c>Count("ringcore.peer.malformed", "n1")</c>.
/// </summary>
public sealed class ClusterMetrics : IMeterFactory
{
    private readonly Meter _meter = new("RingCore");
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Node, string Kind), long> _totals = new();

    /// <summary>Creates the meter and starts listening to its counters.</summary>
    public ClusterMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements on <paramref name="node"/> (all nodes when null) so far.</summary>
    public long Count(string instrument, string? node = null)
    {
        long total = 0;
        foreach (var ((name, measuredOn, _), value) in _totals)
        {
            if (name == instrument && (node is null || measuredOn == node))
            {
                total += value;
            }
        }

        return total;
    }

    /// <summary>
    /// The sum of <paramref name="instrument"/>'s measurements tagged with <paramref name="kind"/>
    /// (its <c>ringcore.kind</c> tag: an exchange's outcome, a request's kind) on
    /// <paramref name="node"/> (all nodes when null) so far, e.g. <c>Count("ringcore.aae.exchanges", null, "repaired")</c>.
    /// </summary>
    public long Count(string instrument, string? node, string kind)
    {
        long total = 0;
        foreach (var ((name, measuredOn, measuredKind), value) in _totals)
        {
            if (name == instrument && (node is null || measuredOn == node) && measuredKind == kind)
            {
                total += value;
            }
        }

        return total;
    }

    Meter IMeterFactory.Create(MeterOptions options) =>
        options.Name == _meter.Name ? _meter : throw new ArgumentException($"This factory makes only the '{_meter.Name}' meter.", nameof(options));

    /// <summary>Stops listening and disposes the meter.</summary>
    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    private void OnMeasurement(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string node = "", kind = "";
        foreach (var tag in tags)
        {
            if (tag.Key == "ringcore.node")
            {
                node = tag.Value as string ?? "";
            }
            else if (tag.Key == "ringcore.kind")
            {
                kind = tag.Value as string ?? "";
            }
        }

        _totals.AddOrUpdate((instrument.Name, node, kind), measurement, (_, total) => total + measurement);
    }
}
