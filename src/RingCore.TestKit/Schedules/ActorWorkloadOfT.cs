using RingCore.Actors;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// An actor workload over state <typeparamref name="TState"/>: define the type as you do in
/// production (its Merge decides what survives a partition), say which message an ask sends, and
/// check the final state, which the runner reads from every replica on every node after healing
/// and merges with the type's own Merge.
/// </summary>
/// <typeparam name="TState">The actor's state type.</typeparam>
public sealed class ActorWorkload<TState> : ActorWorkload
{
    private readonly Action<ActorTypeBuilder<TState>> _configure;
    private readonly Func<int, int, object> _message;
    private readonly Func<object> _probe;
    private readonly Func<ActorWorkloadOutcome<TState>, string?> _check;

    /// <summary>Creates the workload.</summary>
    /// <param name="typeName">The actor type's name.</param>
    /// <param name="configure">Defines the type; it must define a Merge, since schedules split the network.</param>
    /// <param name="message">The message an ask step sends, from (client, step index): make it unique if the check needs to tell asks apart.</param>
    /// <param name="probe">A message asked once after the run: the actor must answer it (liveness); its reply goes to the check.</param>
    /// <param name="check">Returns null when the outcome keeps the type's promises, else the violation in words.</param>
    public ActorWorkload(string typeName, Action<ActorTypeBuilder<TState>> configure, Func<int, int, object> message, Func<object> probe,
        Func<ActorWorkloadOutcome<TState>, string?> check)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        TypeName = typeName;
        _configure = configure ?? throw new ArgumentNullException(nameof(configure));
        _message = message ?? throw new ArgumentNullException(nameof(message));
        _probe = probe ?? throw new ArgumentNullException(nameof(probe));
        _check = check ?? throw new ArgumentNullException(nameof(check));
    }

    /// <inheritdoc />
    public override string TypeName { get; }

    internal override void Define(ActorRegistry actors) => actors.Add(TypeName, _configure);

    internal override void Validate()
    {
        var actors = new ActorRegistry();
        Define(actors);
        if (((ActorType<TState>)actors.Get(TypeName)).MergeVersions is null)
        {
            throw new ArgumentException(
                $"Actor type '{TypeName}' defines no Merge: fault schedules split the network, so its state will have siblings. Add ActorTypeBuilder.Merge.");
        }
    }

    internal override object MessageFor(int client, int index) => _message(client, index);

    internal override object Probe() => _probe();

    internal override string? Check(ActorRegistry actors, string key, IReadOnlyList<object> acknowledged, IReadOnlyList<object> uncertain,
        IReadOnlyList<ReadOnlyMemory<byte>> stored, object? probeAnswer)
    {
        var type = (ActorType<TState>)actors.Get(TypeName);
        var versions = stored.Select(bytes => type.Serializer.Deserialize(bytes.Span)).ToArray();
        var merge = type.MergeVersions!; // Validate checked it before the run
        var merged = versions.Length == 0 ? default : merge(versions);
        return _check(new ActorWorkloadOutcome<TState>(key, acknowledged, uncertain, versions, merged, probeAnswer));
    }
}

/// <summary>What an actor went through in a run and what it holds after it.</summary>
/// <param name="Key">The actor's key.</param>
/// <param name="Acknowledged">The messages of the asks that were acknowledged: their effect must be in the state.</param>
/// <param name="Uncertain">The messages of the asks that failed or timed out: their effect may or may not be.</param>
/// <param name="Versions">Every version of the state any replica holds, fallbacks included.</param>
/// <param name="Merged">Those versions merged by the type's Merge; default when no replica holds any.</param>
/// <param name="ProbeAnswer">The reply to the probe asked after the run.</param>
public sealed record ActorWorkloadOutcome<TState>(string Key, IReadOnlyList<object> Acknowledged, IReadOnlyList<object> Uncertain,
    IReadOnlyList<TState> Versions, TState? Merged, object? ProbeAnswer);
