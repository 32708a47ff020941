namespace RingCore.Tests.Causality;

/// <summary>What one step of a generated replication history does.</summary>
internal enum HistoryStepKind
{
    /// <summary>A client writes a new value at a coordinating replica, with its last context or none.</summary>
    Write,

    /// <summary>A client reads a replica and keeps the context it returns.</summary>
    Read,

    /// <summary>A replica sends what it holds to another, which syncs it in (replication, read repair, anti-entropy).</summary>
    Sync,
}

/// <summary>One step of a <see cref="ReplicationHistory"/>; indexes pick the client and replicas.</summary>
internal sealed record HistoryStep(HistoryStepKind Kind, int Client, int Replica, int Other, bool WithContext)
{
    public override string ToString() => Kind switch
    {
        HistoryStepKind.Write => $"c{Client} writes at r{Replica}{(WithContext ? " with context" : "")}",
        HistoryStepKind.Read => $"c{Client} reads r{Replica}",
        _ => $"r{Replica} syncs into r{Other}",
    };
}
