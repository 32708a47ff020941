namespace RingCore.Actors;

/// <summary>
/// Where the outcome of an Ask goes once its handler has run. Sinks are pooled, so each call
/// names the Ask by its token; an outcome for an Ask that already ended (timed out, cancelled) is
/// ignored.
/// </summary>
internal interface IReplySink
{
    void Complete(int token, object? reply);

    void Fail(int token, Exception exception);
}
