// mediasoup 3.14 is written against libsrtp 3.0-alpha, Debian 12 ships libsrtp 2.5. The two differ
// in the calls below: 3.x takes size_t lengths and renamed srtp_remove_stream(). These C++
// overloads convert at the call site so mediasoup's sources stay untouched.
#ifndef RTC_HARNESS_SRTP_COMPAT_H
#define RTC_HARNESS_SRTP_COMPAT_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>

namespace rtc_harness_srtp_compat
{
	template<typename Fn>
	inline srtp_err_status_t WithIntLength(Fn fn, size_t* len)
	{
		if (*len > static_cast<size_t>(INT_MAX))
			return srtp_err_status_bad_param;

		int intLen             = static_cast<int>(*len);
		const srtp_err_status_t status = fn(&intLen);

		*len = static_cast<size_t>(intLen);

		return status;
	}
} // namespace rtc_harness_srtp_compat

inline srtp_err_status_t srtp_protect(srtp_t ctx, uint8_t* data, size_t* len)
{
	return rtc_harness_srtp_compat::WithIntLength(
	  [&](int* l) { return srtp_protect(ctx, static_cast<void*>(data), l); }, len);
}

inline srtp_err_status_t srtp_unprotect(srtp_t ctx, uint8_t* data, size_t* len)
{
	return rtc_harness_srtp_compat::WithIntLength(
	  [&](int* l) { return srtp_unprotect(ctx, static_cast<void*>(data), l); }, len);
}

inline srtp_err_status_t srtp_protect_rtcp(srtp_t ctx, uint8_t* data, size_t* len)
{
	return rtc_harness_srtp_compat::WithIntLength(
	  [&](int* l) { return srtp_protect_rtcp(ctx, static_cast<void*>(data), l); }, len);
}

inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx, uint8_t* data, size_t* len)
{
	return rtc_harness_srtp_compat::WithIntLength(
	  [&](int* l) { return srtp_unprotect_rtcp(ctx, static_cast<void*>(data), l); }, len);
}

inline srtp_err_status_t srtp_stream_remove(srtp_t ctx, uint32_t ssrc)
{
	return srtp_remove_stream(ctx, ssrc);
}
#endif

#endif
