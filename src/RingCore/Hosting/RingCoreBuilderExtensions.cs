using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage;

namespace RingCore.Hosting;

/// <summary>The verbs of <see cref="IRingCoreBuilder"/>: add actor types, choose storage, edit the node's options.</summary>
public static class RingCoreBuilderExtensions
{
    /// <summary>
    /// Adds actor types to the node: <paramref name="configure"/> runs when the node starts. Call
    /// it as often as you like; a type name defined twice fails the host's start.
    /// </summary>
    /// <param name="builder">The RingCore builder.</param>
    /// <param name="configure">Defines actor types, e.g. <c>actors =&gt; actors.Add&lt;Cart&gt;("cart", type =&gt; ...)</c>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IRingCoreBuilder AddActors(this IRingCoreBuilder builder, Action<ActorRegistry> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddActors((actors, _) => configure(actors));
    }

    /// <summary>
    /// Adds actor types whose definitions need the host's services (a handler that calls a
    /// repository, say): <paramref name="configure"/> runs when the node starts, with the container.
    /// </summary>
    /// <param name="builder">The RingCore builder.</param>
    /// <param name="configure">Defines actor types, given the host's services.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IRingCoreBuilder AddActors(this IRingCoreBuilder builder, Action<ActorRegistry, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddSingleton(new ActorRegistration(configure));
        return builder;
    }

    /// <summary>
    /// Chooses where the node's partitions keep their data, instead of memory. The container does
    /// not dispose <paramref name="provider"/>: it may outlive the host (a test restarts a host on
    /// the same provider).
    /// </summary>
    /// <param name="builder">The RingCore builder.</param>
    /// <param name="provider">The storage backend, e.g. <c>FasterVNodeStoreProvider</c>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IRingCoreBuilder UseStorage(this IRingCoreBuilder builder, IVNodeStoreProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        builder.Services.Replace(ServiceDescriptor.Singleton(provider));
        return builder;
    }

    /// <summary>
    /// Chooses where the node's partitions keep their data, built from the host's services when
    /// the node starts (once), and disposed with the container if it is disposable.
    /// </summary>
    /// <param name="builder">The RingCore builder.</param>
    /// <param name="factory">Builds the storage backend.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IRingCoreBuilder UseStorage(this IRingCoreBuilder builder, Func<IServiceProvider, IVNodeStoreProvider> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>
    /// Edits the node's options after they are bound from the <c>RingCore</c> configuration
    /// section, so what <paramref name="configure"/> sets wins over configuration. The result is
    /// validated when the host starts, like configured values.
    /// </summary>
    /// <param name="builder">The RingCore builder.</param>
    /// <param name="configure">Edits the options, e.g. <c>options =&gt; options.PartitionCount = 256</c>.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IRingCoreBuilder Configure(this IRingCoreBuilder builder, Action<RingNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
