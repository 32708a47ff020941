using RingCore.Actors;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The actor type of the activation measurements: Ephemeral, a <see cref="long"/> state that never
/// changes, and one handler that only reports it ran. What an activation then costs is the
/// runtime's own bookkeeping (activation object, mailbox, vnode table entry), not the state's.
/// </summary>
internal static class IdleActorType
{
    /// <summary>The type's name.</summary>
    public const string Name = "idle";

    /// <summary>Defines the type on <paramref name="actors"/>; every handled <see cref="Increment"/> signals <paramref name="signal"/> once.</summary>
    public static void Register(ActorRegistry actors, CompletionSignal signal) =>
        actors.Add<long>(Name, type => type
            .InitialState(_ => 0L)
            .On<Increment>((state, _, _) =>
            {
                signal.Signal();
                return state;
            })
            .WithDurability(ActorDurability.Ephemeral));
}
