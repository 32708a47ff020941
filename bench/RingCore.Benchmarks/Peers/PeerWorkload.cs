using RingCore.Benchmarks.Actors;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// What the actors of one benchmark case report to: the signal the benchmark thread waits on,
/// and how many messages each key receives per invocation. Proto.Actor and Akka.NET actors get
/// both through their constructors; Orleans grains, which the silo creates, get this object from
/// the silo's services.
/// </summary>
internal sealed record PeerWorkload(CompletionSignal Signal, int MessagesPerKey);
