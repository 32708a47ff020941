namespace RingCore.Transport;

/// <summary>What a <see cref="SimulatedNetwork"/> did with the messages sent on it so far.</summary>
/// <param name="Sent">Messages handed to <see cref="ITransport.Send"/>.</param>
/// <param name="Delivered">Messages handed to a receiver (a duplicate counts twice).</param>
/// <param name="Dropped">Messages lost to the drop rate.</param>
/// <param name="Duplicated">Extra copies made by the duplicate rate.</param>
/// <param name="Undeliverable">Messages lost because the sender or receiver was crashed or on the other side of a partition.</param>
/// <param name="DeliveryLogHash">A running hash of every delivery (sender, receiver, payload) in order: equal for two runs exactly when they delivered the same messages in the same order.</param>
public readonly record struct NetworkStatistics(long Sent, long Delivered, long Dropped, long Duplicated, long Undeliverable, ulong DeliveryLogHash);
