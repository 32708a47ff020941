using RingCore.Actors;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// The actor type a fault schedule exercises with its <see cref="StepKind.ActorAsk"/> steps: how
/// the type is defined, the message each step asks, and what its final state must satisfy given
/// which asks were acknowledged (issue 5: users run the partition suite against their own actor
/// types through the TestKit). <see cref="ActorWorkload{TState}"/> builds one; the default is
/// <see cref="GCounter.Workload"/>.
/// </summary>
public abstract class ActorWorkload
{
    /// <summary>The actor type's name (its state lives in the bucket of that name).</summary>
    public abstract string TypeName { get; }

    internal abstract void Define(ActorRegistry actors);

    /// <summary>Throws <see cref="ArgumentException"/> before a run when the type cannot go through one (it defines no Merge).</summary>
    internal abstract void Validate();

    internal abstract object MessageFor(int client, int index);

    internal abstract object Probe();

    /// <summary>Checks one actor after the run; null when it kept its promises, else the violation in words.</summary>
    internal abstract string? Check(ActorRegistry actors, string key, IReadOnlyList<object> acknowledged, IReadOnlyList<object> uncertain,
        IReadOnlyList<ReadOnlyMemory<byte>> stored, object? probeAnswer);
}
