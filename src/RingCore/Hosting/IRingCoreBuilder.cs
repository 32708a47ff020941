using Microsoft.Extensions.DependencyInjection;

namespace RingCore.Hosting;

/// <summary>
/// Configures the RingCore node of a host, as returned by
/// <see cref="RingCoreHostingExtensions.AddRingCore(IServiceCollection)"/>. Its verbs are extension
/// methods (Orleans' habit, so another assembly can add its own, e.g. a storage backend's
/// <c>Use*</c>): <c>Add*</c> registers (actor types), <c>Use*</c> chooses an implementation
/// (storage), <c>Configure</c> edits <see cref="Node.RingNodeOptions"/>. See <see cref="RingCoreBuilderExtensions"/>.
/// </summary>
public interface IRingCoreBuilder
{
    /// <summary>The host's services, where every RingCore service is registered.</summary>
    IServiceCollection Services { get; }
}
