/* A PKCS#11 module for Windows that reports one initialised token and supports nothing else:
 * a test fixture (never shipped) that lets the Wine test check the CA library probe for real,
 * through LoadLibrary and C_GetFunctionList, under a vendor's DLL name in System32.
 * Built by scripts/wine-prefix.sh with miekg/pkcs11's headers, packed as Windows packs them. */
#include <string.h>
#include <windows.h>
#define CK_PTR *
#define NULL_PTR 0
#define CK_DEFINE_FUNCTION(returnType, name) returnType name
#define CK_DECLARE_FUNCTION(returnType, name) returnType name
#define CK_DECLARE_FUNCTION_POINTER(returnType, name) returnType (* name)
#define CK_CALLBACK_FUNCTION(returnType, name) returnType (* name)
#pragma pack(push, 1)
#include "pkcs11.h"
#pragma pack(pop)

#define SLOT 7

static void pad(CK_UTF8CHAR *dst, const char *src, size_t n)
{
    size_t l = strlen(src);
    memset(dst, ' ', n);
    memcpy(dst, src, l < n ? l : n);
}

static CK_RV notSupported(void) { return CKR_FUNCTION_NOT_SUPPORTED; }

static CK_RV initialize(CK_VOID_PTR args) { (void)args; return CKR_OK; }
static CK_RV finalize(CK_VOID_PTR reserved) { (void)reserved; return CKR_OK; }

static CK_RV getInfo(CK_INFO_PTR info)
{
    memset(info, 0, sizeof *info);
    info->cryptokiVersion.major = 2;
    info->cryptokiVersion.minor = 40;
    pad(info->manufacturerID, "GiayDiDuong test", sizeof info->manufacturerID);
    pad(info->libraryDescription, "Wine probe fixture", sizeof info->libraryDescription);
    return CKR_OK;
}

static CK_RV getSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    (void)present;
    if (list == NULL_PTR) { *count = 1; return CKR_OK; }
    if (*count < 1) { *count = 1; return CKR_BUFFER_TOO_SMALL; }
    list[0] = SLOT;
    *count = 1;
    return CKR_OK;
}

static CK_RV getSlotInfo(CK_SLOT_ID id, CK_SLOT_INFO_PTR info)
{
    if (id != SLOT) return CKR_SLOT_ID_INVALID;
    memset(info, 0, sizeof *info);
    pad(info->slotDescription, "Wine fixture reader", sizeof info->slotDescription);
    pad(info->manufacturerID, "GiayDiDuong test", sizeof info->manufacturerID);
    info->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
    return CKR_OK;
}

static CK_RV getTokenInfo(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info)
{
    if (id != SLOT) return CKR_SLOT_ID_INVALID;
    memset(info, 0, sizeof *info);
    pad(info->label, "WINE FIXTURE", sizeof info->label);
    pad(info->manufacturerID, "GiayDiDuong test", sizeof info->manufacturerID);
    pad(info->model, "probe", sizeof info->model);
    pad((CK_UTF8CHAR *)info->serialNumber, "0001", sizeof info->serialNumber);
    info->flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED;
    return CKR_OK;
}

static CK_FUNCTION_LIST functions;

__declspec(dllexport) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    CK_VOID_PTR *slot = (CK_VOID_PTR *)&functions.C_Initialize;
    CK_VOID_PTR *end = (CK_VOID_PTR *)(&functions + 1);
    while (slot < end) *slot++ = (CK_VOID_PTR)notSupported;
    functions.version.major = 2;
    functions.version.minor = 40;
    functions.C_Initialize = initialize;
    functions.C_Finalize = finalize;
    functions.C_GetInfo = getInfo;
    functions.C_GetFunctionList = C_GetFunctionList;
    functions.C_GetSlotList = getSlotList;
    functions.C_GetSlotInfo = getSlotInfo;
    functions.C_GetTokenInfo = getTokenInfo;
    *list = &functions;
    return CKR_OK;
}
