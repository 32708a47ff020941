using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using RingCore.Runtime;
using RingCore.Storage;

namespace RingCore.Node;

/// <summary>
/// What a node runs on, each replaceable (Orleans' habit: every default service in one place):
/// storage, the scheduler, the clock, logging, metrics and the seed of its random choices. A
/// null property takes the default its documentation names.
/// </summary>
public sealed class RingNodeServices
{
    /// <summary>Where partitions keep their data. Defaults to memory (lost when the process ends).</summary>
    public IVNodeStoreProvider? Storage { get; init; }

    /// <summary>Where mailbox turns and coordinator continuations run. Defaults to the thread pool.</summary>
    public IWorkScheduler? Scheduler { get; init; }

    /// <summary>The clock of every timer and timeout. Defaults to the system clock (tests pass virtual time).</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Where the node logs (category <c>RingCore</c>). Defaults to nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Where the <c>RingCore</c> meter comes from. Defaults to a meter of the node's own, disposed when it stops.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>
    /// Seeds the node's random choices (request ids, replica-id nonces), so a simulation replays
    /// exactly. Defaults to an unseeded random: each start differs, which is what a real node wants.
    /// </summary>
    public int? Seed { get; init; }
}
