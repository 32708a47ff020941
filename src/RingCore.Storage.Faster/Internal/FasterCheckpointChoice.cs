namespace RingCore.Storage.Faster.Internal;

/// <summary>The index and log checkpoints a store recovers from, with their metadata files for error messages.</summary>
internal sealed record FasterCheckpointChoice(Guid IndexToken, Guid LogToken, string LogInfoFile, string IndexInfoFile);
