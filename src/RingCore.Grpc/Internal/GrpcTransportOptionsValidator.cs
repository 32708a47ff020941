using Microsoft.Extensions.Options;

namespace RingCore.Grpc;

/// <summary>Validates <see cref="GrpcTransportOptions"/> by <see cref="GrpcTransportOptions.Validate"/>, whose messages name the setting (<c>RingCore:Grpc:MaxPayloadBytes must be ...</c>).</summary>
internal sealed class GrpcTransportOptionsValidator : IValidateOptions<GrpcTransportOptions>
{
    public ValidateOptionsResult Validate(string? name, GrpcTransportOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException error)
        {
            return ValidateOptionsResult.Fail(error.Message);
        }
    }
}
