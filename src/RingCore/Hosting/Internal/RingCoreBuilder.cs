using Microsoft.Extensions.DependencyInjection;

namespace RingCore.Hosting;

/// <summary>The builder <c>AddRingCore</c> returns: the services, nothing else (the verbs are extension methods).</summary>
internal sealed class RingCoreBuilder(IServiceCollection services) : IRingCoreBuilder
{
    public IServiceCollection Services { get; } = services;
}
