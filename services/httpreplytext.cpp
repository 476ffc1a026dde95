// SPDX-License-Identifier: MIT
#include "services/httpreplytext.h"

#include <QNetworkReply>

using namespace Qt::StringLiterals;

QString describeReplyFailure(QNetworkReply* reply, int timeoutMs, const QByteArray& body)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError)
        return u"no answer within %1 s"_s.arg(timeoutMs / 1000.0);
    if (status != 0) {
        QString text = QString::fromUtf8(body.left(200)).simplified();
        return text.isEmpty() ? u"HTTP %1"_s.arg(status) : u"HTTP %1: %2"_s.arg(status).arg(text);
    }
    return reply->errorString();
}
