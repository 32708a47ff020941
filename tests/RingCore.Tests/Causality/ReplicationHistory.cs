using RingCore.Causality;

namespace RingCore.Tests.Causality;

/// <summary>A generated history: the replicas' ids and the steps clients and replicas take.</summary>
internal sealed class ReplicationHistory(ReplicaId[] replicas, HistoryStep[] steps)
{
    public const int ReplicaCount = 3;

    public const int ClientCount = 3;

    public ReplicaId[] Replicas { get; } = replicas;

    public HistoryStep[] Steps { get; } = steps;

    /// <summary>Runs every step, checking each against the causal oracle (see <see cref="ReplicationRun"/>).</summary>
    public ReplicationRun Replay()
    {
        var run = new ReplicationRun(Replicas, ClientCount);
        foreach (var step in Steps)
        {
            run.Apply(step);
        }

        return run;
    }

    public override string ToString() =>
        $"replicas [{string.Join(", ", Replicas)}]; steps: {string.Join("; ", Steps.Select(s => s.ToString()))}";
}
