using RingCore.Actors;

namespace RingCore.Hosting;

/// <summary>One <c>AddActors</c> call, kept in the container until the node starts and defines its actor types.</summary>
internal sealed class ActorRegistration(Action<ActorRegistry, IServiceProvider> configure)
{
    public void Define(ActorRegistry actors, IServiceProvider services) => configure(actors, services);
}
