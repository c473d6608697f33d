namespace Navarch.ApiServer.Admission;

/// <summary>
/// The ordered admission plugins of the write path. kube-apiserver runs every mutating plugin in order, then the
/// kind's defaulting and validation, then every validating plugin; the first rejection ends the request.
/// </summary>
public sealed class AdmissionChain(IReadOnlyList<IMutatingAdmission> mutating, IReadOnlyList<IValidatingAdmission> validating)
{
    public IReadOnlyList<IMutatingAdmission> Mutating => mutating;

    public IReadOnlyList<IValidatingAdmission> Validating => validating;

    public async ValueTask MutateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        foreach (var plugin in mutating)
        {
            await plugin.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        foreach (var plugin in validating)
        {
            await plugin.ValidateAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
