namespace RingCore.Actors;

/// <summary>A handler as the runtime stores it: the message is already known to be of the handled type.</summary>
internal delegate ValueTask<ActorStep<TState>> ActorHandler<TState>(TState state, object message, ActorContext context);

/// <summary>The outcome of one message: the new state and the reply (null for a Tell-only handler).</summary>
internal readonly record struct ActorStep<TState>(TState State, object? Reply);
