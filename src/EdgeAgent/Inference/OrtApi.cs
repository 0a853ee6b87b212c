namespace EdgeAnpr.Agent.Inference;

/// <summary>
/// The functions this binding calls from ONNX Runtime's <c>OrtApi</c> table (onnxruntime_c_api.h), read once from
/// the table <c>GetApi(30)</c> returns. The table only grows at its end, so these zero-based slots are stable
/// (DESIGN.md, "ONNX Runtime through its C API"). Opaque ORT objects are <see cref="nint"/>; a non-zero return of
/// an <c>OrtStatus*</c> function is an error that the caller must release (<see cref="OrtLibrary.Check"/>).
/// </summary>
internal sealed unsafe class OrtApi
{
    public OrtApi(nint* table)
    {
        GetErrorCode = (delegate* unmanaged<nint, int>)table[1];
        GetErrorMessage = (delegate* unmanaged<nint, byte*>)table[2];
        CreateEnv = (delegate* unmanaged<int, byte*, nint*, nint>)table[3];
        CreateSession = (delegate* unmanaged<nint, byte*, nint, nint*, nint>)table[7];
        CreateSessionFromArray = (delegate* unmanaged<nint, void*, nuint, nint, nint*, nint>)table[8];
        Run = (delegate* unmanaged<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint>)table[9];
        CreateSessionOptions = (delegate* unmanaged<nint*, nint>)table[10];
        DisableCpuMemArena = (delegate* unmanaged<nint, nint>)table[19];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<nint, int, nint>)table[23];
        SetIntraOpNumThreads = (delegate* unmanaged<nint, int, nint>)table[24];
        SetInterOpNumThreads = (delegate* unmanaged<nint, int, nint>)table[25];
        SessionGetInputCount = (delegate* unmanaged<nint, nuint*, nint>)table[30];
        SessionGetOutputCount = (delegate* unmanaged<nint, nuint*, nint>)table[31];
        SessionGetInputTypeInfo = (delegate* unmanaged<nint, nuint, nint*, nint>)table[33];
        SessionGetOutputTypeInfo = (delegate* unmanaged<nint, nuint, nint*, nint>)table[34];
        SessionGetInputName = (delegate* unmanaged<nint, nuint, nint, nint*, nint>)table[36];
        SessionGetOutputName = (delegate* unmanaged<nint, nuint, nint, nint*, nint>)table[37];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)table[49];
        GetTensorMutableData = (delegate* unmanaged<nint, void**, nint>)table[51];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<nint, nint*, nint>)table[55];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged<nint, int*, nint>)table[56];
        GetTensorElementType = (delegate* unmanaged<nint, int*, nint>)table[60];
        GetDimensionsCount = (delegate* unmanaged<nint, nuint*, nint>)table[61];
        GetDimensions = (delegate* unmanaged<nint, long*, nuint, nint>)table[62];
        GetTensorShapeElementCount = (delegate* unmanaged<nint, nuint*, nint>)table[64];
        GetTensorTypeAndShape = (delegate* unmanaged<nint, nint*, nint>)table[65];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, nint*, nint>)table[69];
        AllocatorFree = (delegate* unmanaged<nint, nint, nint>)table[76];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<nint*, nint>)table[78];
        ReleaseStatus = (delegate* unmanaged<nint, void>)table[93];
        ReleaseSession = (delegate* unmanaged<nint, void>)table[95];
        ReleaseValue = (delegate* unmanaged<nint, void>)table[96];
        ReleaseTypeInfo = (delegate* unmanaged<nint, void>)table[98];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<nint, void>)table[99];
        ReleaseSessionOptions = (delegate* unmanaged<nint, void>)table[100];
        AddSessionConfigEntry = (delegate* unmanaged<nint, byte*, byte*, nint>)table[130];
    }

    // 1, 2: OrtErrorCode GetErrorCode(const OrtStatus*); const char* GetErrorMessage(const OrtStatus*)
    public delegate* unmanaged<nint, int> GetErrorCode { get; }

    public delegate* unmanaged<nint, byte*> GetErrorMessage { get; }

    // 3: CreateEnv(OrtLoggingLevel, const char* logid, OrtEnv** out)
    public delegate* unmanaged<int, byte*, nint*, nint> CreateEnv { get; }

    // 7: CreateSession(const OrtEnv*, const char* model_path, const OrtSessionOptions*, OrtSession** out)
    public delegate* unmanaged<nint, byte*, nint, nint*, nint> CreateSession { get; }

    // 8: CreateSessionFromArray(const OrtEnv*, const void* model_data, size_t length, const OrtSessionOptions*, OrtSession** out)
    public delegate* unmanaged<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray { get; }

    // 9: Run(OrtSession*, const OrtRunOptions*, const char* const* input_names, const OrtValue* const* inputs, size_t input_len,
    //        const char* const* output_names, size_t output_names_len, OrtValue** outputs)
    public delegate* unmanaged<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint> Run { get; }

    // 10: CreateSessionOptions(OrtSessionOptions** options)
    public delegate* unmanaged<nint*, nint> CreateSessionOptions { get; }

    // 19: DisableCpuMemArena(OrtSessionOptions*)
    public delegate* unmanaged<nint, nint> DisableCpuMemArena { get; }

    // 23, 24, 25: (OrtSessionOptions*, GraphOptimizationLevel | int)
    public delegate* unmanaged<nint, int, nint> SetSessionGraphOptimizationLevel { get; }

    public delegate* unmanaged<nint, int, nint> SetIntraOpNumThreads { get; }

    public delegate* unmanaged<nint, int, nint> SetInterOpNumThreads { get; }

    // 30, 31: (const OrtSession*, size_t* out)
    public delegate* unmanaged<nint, nuint*, nint> SessionGetInputCount { get; }

    public delegate* unmanaged<nint, nuint*, nint> SessionGetOutputCount { get; }

    // 33, 34: (const OrtSession*, size_t index, OrtTypeInfo** type_info) - released with ReleaseTypeInfo
    public delegate* unmanaged<nint, nuint, nint*, nint> SessionGetInputTypeInfo { get; }

    public delegate* unmanaged<nint, nuint, nint*, nint> SessionGetOutputTypeInfo { get; }

    // 36, 37: (const OrtSession*, size_t index, OrtAllocator*, char** value) - freed with AllocatorFree
    public delegate* unmanaged<nint, nuint, nint, nint*, nint> SessionGetInputName { get; }

    public delegate* unmanaged<nint, nuint, nint, nint*, nint> SessionGetOutputName { get; }

    // 49: CreateTensorWithDataAsOrtValue(const OrtMemoryInfo*, void* p_data, size_t p_data_len (bytes), const int64_t* shape,
    //     size_t shape_len, ONNXTensorElementDataType, OrtValue** out) - does NOT copy p_data; copies the shape.
    public delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue { get; }

    // 51: GetTensorMutableData(OrtValue*, void** out)
    public delegate* unmanaged<nint, void**, nint> GetTensorMutableData { get; }

    // 55: CastTypeInfoToTensorInfo(const OrtTypeInfo*, const OrtTensorTypeAndShapeInfo** out) - out is owned by the type info,
    //     null when the value is not a tensor.
    public delegate* unmanaged<nint, nint*, nint> CastTypeInfoToTensorInfo { get; }

    // 56: GetOnnxTypeFromTypeInfo(const OrtTypeInfo*, ONNXType* out)
    public delegate* unmanaged<nint, int*, nint> GetOnnxTypeFromTypeInfo { get; }

    // 60, 61, 62, 64: on const OrtTensorTypeAndShapeInfo*
    public delegate* unmanaged<nint, int*, nint> GetTensorElementType { get; }

    public delegate* unmanaged<nint, nuint*, nint> GetDimensionsCount { get; }

    public delegate* unmanaged<nint, long*, nuint, nint> GetDimensions { get; }

    public delegate* unmanaged<nint, nuint*, nint> GetTensorShapeElementCount { get; }

    // 65: GetTensorTypeAndShape(const OrtValue*, OrtTensorTypeAndShapeInfo** out) - released with ReleaseTensorTypeAndShapeInfo
    public delegate* unmanaged<nint, nint*, nint> GetTensorTypeAndShape { get; }

    // 69: CreateCpuMemoryInfo(OrtAllocatorType, OrtMemType, OrtMemoryInfo** out)
    public delegate* unmanaged<int, int, nint*, nint> CreateCpuMemoryInfo { get; }

    // 76: AllocatorFree(OrtAllocator*, void* p); 78: GetAllocatorWithDefaultOptions(OrtAllocator** out) - never freed
    public delegate* unmanaged<nint, nint, nint> AllocatorFree { get; }

    public delegate* unmanaged<nint*, nint> GetAllocatorWithDefaultOptions { get; }

    // 93, 95, 96, 98, 99, 100: void ReleaseX(OrtX*)
    public delegate* unmanaged<nint, void> ReleaseStatus { get; }

    public delegate* unmanaged<nint, void> ReleaseSession { get; }

    public delegate* unmanaged<nint, void> ReleaseValue { get; }

    public delegate* unmanaged<nint, void> ReleaseTypeInfo { get; }

    public delegate* unmanaged<nint, void> ReleaseTensorTypeAndShapeInfo { get; }

    public delegate* unmanaged<nint, void> ReleaseSessionOptions { get; }

    // 130: AddSessionConfigEntry(OrtSessionOptions*, const char* key, const char* value)
    public delegate* unmanaged<nint, byte*, byte*, nint> AddSessionConfigEntry { get; }
}
