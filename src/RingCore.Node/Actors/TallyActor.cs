using RingCore.Actors;

namespace RingCore.Daemon.Actors.Tally;

/// <summary>Adds <see cref="By"/> (1 when absent) to the tally. No reply: meant to be told, many at a time.</summary>
internal sealed record Add(long By = 1);

/// <summary>Replies the tally (a JSON number; 0 for a new one or after a passivation or restart).</summary>
internal sealed record Get;

/// <summary>
/// The built-in actor type <c>tally</c>: a number per key kept in memory only
/// (<see cref="ActorDurability.Ephemeral"/>): it starts from 0 after a passivation, a restart or a
/// move to another node. For counts that may be lost (rates, presence); a count that must survive
/// is a <c>counter</c>.
/// </summary>
internal static class TallyActor
{
    /// <summary>The type's registered name.</summary>
    public const string TypeName = "tally";

    public static void Define(ActorRegistry actors) =>
        actors.Add<long>(TypeName, type => type
            .InitialState(_ => 0)
            .On<Add>((tally, message, _) => tally + message.By)
            .On<Get, long>((tally, _, _) => (tally, tally))
            .WithDurability(ActorDurability.Ephemeral)
            .WithMessageSerializer(BuiltInActors.Messages));
}
