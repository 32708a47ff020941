namespace RingCore.Actors;

/// <summary>Where the outcome of an Ask goes once its handler has run.</summary>
internal interface IReplySink
{
    void Complete(object? reply);

    void Fail(Exception exception);
}
